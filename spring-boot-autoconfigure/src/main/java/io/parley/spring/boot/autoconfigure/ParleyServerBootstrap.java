package io.parley.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

import io.parley.core.server.ParleyServer;

/**
 * Binds the auto-configured {@link ParleyServer} when the application context starts, and shuts
 * it down gracefully when the context closes.
 *
 * <p>On start, the bound port is published as {@value #LOCAL_PORT_PROPERTY} and a
 * {@link ParleyServerInitializedEvent} goes out. On stop, new calls are refused with
 * {@code RPC_S_SERVER_UNAVAILABLE}, calls in flight are given the shutdown phase's time
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}, less a little to deliver the faults) to
 * end, and those still running then end with {@code RPC_S_SERVER_UNAVAILABLE}.
 */
public class ParleyServerBootstrap implements SmartLifecycle, DisposableBean, ApplicationEventPublisherAware, EnvironmentAware {

    /** The property under which the bound port is published. */
    public static final String LOCAL_PORT_PROPERTY = "local.parley.server.port";

    /**
     * The phase of a server on a port of its own: stopped after the web server's graceful shutdown,
     * so HTTP requests still running can finish the Parley calls they make.
     */
    static final int STANDALONE_PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

    /**
     * The phase of a server on the web server's routes: stopped before the web server's graceful
     * shutdown, which would otherwise wait for Parley's long-lived WebSocket connections.
     */
    static final int ROUTE_PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Log logger = LogFactory.getLog(ParleyServerBootstrap.class);

    private static final String PORTS_PROPERTY_SOURCE = "server.ports";

    private final ParleyServer.Builder builder;
    private final Duration shutdownTimeout;
    private final int phase;
    private @Nullable ApplicationEventPublisher eventPublisher;
    private @Nullable Environment environment;
    private volatile @Nullable ParleyServer server;

    /**
     * Creates a bootstrap.
     *
     * @param builder the server, ready to bind
     * @param shutdownTimeout the time a graceful shutdown may take, all in all
     * @param phase the lifecycle phase
     */
    public ParleyServerBootstrap(ParleyServer.Builder builder, Duration shutdownTimeout, int phase) {
        this.builder = builder;
        this.shutdownTimeout = shutdownTimeout;
        this.phase = phase;
    }

    /** The running server, or {@code null} before the context has started it. */
    public @Nullable ParleyServer getServer() {
        return this.server;
    }

    @Override
    public void setApplicationEventPublisher(ApplicationEventPublisher eventPublisher) {
        this.eventPublisher = eventPublisher;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void start() {
        if (this.server != null) {
            return;
        }
        ParleyServer bound = this.builder.bindNow();
        this.server = bound;
        logger.info("Parley server started on " + bound.address() + ", serving " + bound.methods().keySet());
        Integer port = portOf(bound.address());
        if (port != null && this.environment instanceof ConfigurableEnvironment configurable) {
            publishPort(configurable, port);
        }
        if (this.eventPublisher != null) {
            this.eventPublisher.publishEvent(new ParleyServerInitializedEvent(bound));
        }
    }

    @Override
    public void stop(Runnable callback) {
        ParleyServer running = this.server;
        if (running == null) {
            callback.run();
            return;
        }
        Duration grace = graceWithin(this.shutdownTimeout);
        logger.info("Parley server shutting down: calls in flight have " + grace + " to end");
        running.shutdown(grace).subscribe(null, (error) -> callback.run(), () -> {
            logger.info("Parley server stopped");
            callback.run();
        });
    }

    @Override
    public void stop() {
        ParleyServer running = this.server;
        if (running != null) {
            running.dispose();
        }
    }

    /** Disposes the server however the context ends, stopped or only destroyed; a no-op once it is disposed. */
    @Override
    public void destroy() {
        stop();
    }

    @Override
    public boolean isRunning() {
        ParleyServer running = this.server;
        return running != null && !running.isDisposed();
    }

    @Override
    public int getPhase() {
        return this.phase;
    }

    /** The calls' share of the shutdown phase: all of it but the time to deliver their faults and close. */
    static Duration graceWithin(Duration phaseTimeout) {
        Duration reserve = Duration.ofMillis(500);
        if (phaseTimeout.compareTo(reserve.multipliedBy(2)) < 0) {
            return phaseTimeout.dividedBy(2);
        }
        return phaseTimeout.minus(reserve);
    }

    static @Nullable Integer portOf(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return Integer.valueOf(address.substring(colon + 1));
        }
        catch (NumberFormatException ex) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static void publishPort(ConfigurableEnvironment environment, int port) {
        MutablePropertySources sources = environment.getPropertySources();
        PropertySource<?> source = sources.get(PORTS_PROPERTY_SOURCE);
        if (source == null) {
            source = new MapPropertySource(PORTS_PROPERTY_SOURCE, new HashMap<>());
            sources.addFirst(source);
        }
        ((Map<String, Object>) source.getSource()).put(LOCAL_PORT_PROPERTY, port);
    }
}
