package io.parley.spring.boot.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLException;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.parley.core.client.CallOptions;
import io.parley.core.client.RetryPolicy;
import io.parley.core.server.ParleyServer;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.ServerTransport;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import io.parley.spring.boot.autoconfigure.ParleyProperties.Transport;

/**
 * Turns the {@code parley.*} properties into transports and options, and refuses bad values with
 * the property's name and what was expected.
 */
final class ParleyTransports {

    /** Names the in-process servers of this JVM's application contexts apart. */
    private static final AtomicInteger IN_PROCESS_NAMES = new AtomicInteger();

    /** What an in-process server's address starts with; the rest is its name. */
    static final String IN_PROCESS_PREFIX = "in-process:";

    private ParleyTransports() {
    }

    static ServerTransport serverTransport(ParleyProperties.Server server, ObjectProvider<SslBundles> sslBundles) {
        if (server.getTransport() == Transport.IN_PROCESS) {
            return inProcessServer(server);
        }
        int port = server.getPort();
        if (port < 0 || port > 65535) {
            throw invalid("parley.server.port", port, "expected 0 (any free port) to 65535");
        }
        String address = server.getAddress();
        if (address == null || address.isBlank()) {
            throw invalid("parley.server.address", address, "expected a host name or IP address to bind, such as 0.0.0.0");
        }
        RSocketServerTransport transport = (server.getTransport() == Transport.WEBSOCKET)
                ? RSocketServerTransport.websocket(address, port) : RSocketServerTransport.tcp(address, port);
        SslBundle bundle = sslBundle("parley.server.ssl", server.getSsl(), sslBundles);
        if (bundle != null) {
            transport = transport.secure(serverSslContext(bundle));
        }
        ParleyProperties.Leases leases = server.getLeases();
        if (leases.isEnabled()) {
            Duration ttl = leases.getTimeToLive();
            if (ttl == null || ttl.toMillis() < 10) {
                throw invalid("parley.server.leases.time-to-live", ttl, "expected at least 10ms");
            }
            transport = transport.leases(ttl);
        }
        if (server.getResume().isEnabled()) {
            transport = transport.resume(window("parley.server.resume.window", server.getResume().getWindow()));
        }
        return transport;
    }

    /**
     * The in-process server, under a name no other application context in the JVM uses (tests
     * keep several); the application's own client finds it by its address.
     */
    private static ServerTransport inProcessServer(ParleyProperties.Server server) {
        String why = "the in-process transport has no TLS, leases or resumption: they are RSocket's";
        if (server.getSsl().getBundle() != null) {
            throw invalid("parley.server.ssl.bundle", server.getSsl().getBundle(), why);
        }
        if (server.getLeases().isEnabled()) {
            throw invalid("parley.server.leases.enabled", true, why);
        }
        if (server.getResume().isEnabled()) {
            throw invalid("parley.server.resume.enabled", true, why);
        }
        return InProcessTransport.server("parley-" + IN_PROCESS_NAMES.incrementAndGet());
    }

    private static Duration window(String property, @Nullable Duration window) {
        if (window == null || window.isNegative() || window.isZero()) {
            throw invalid(property, window, "expected a positive duration");
        }
        return window;
    }

    /** A client transport with the client's leases and resumption, as {@code parley.client.*} asks. */
    static RSocketClientTransport withSessionOptions(RSocketClientTransport transport, ParleyProperties.Client client,
            boolean balanced) {
        RSocketClientTransport t = client.isLeases() ? transport.leases() : transport;
        if (client.getResume().isEnabled()) {
            if (balanced) {
                throw invalid("parley.client.resume.enabled", true, "expected one server: a session's token does not "
                        + "follow a balancer, so resumption is for parley.client.targets of one server");
            }
            t = t.resume(window("parley.client.resume.window", client.getResume().getWindow()));
        }
        return t;
    }

    static int maxInboundPayloadSize(ParleyProperties.Server server) {
        long bytes = server.getMaxInboundPayloadSize().toBytes();
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw invalid("parley.server.max-inbound-payload-size", server.getMaxInboundPayloadSize(),
                    "expected more than 0 bytes and at most 2GB");
        }
        return (int) bytes;
    }

    static @Nullable Integer maxCallsPerConnection(ParleyProperties.Server server) {
        Integer max = server.getMaxCallsPerConnection();
        if (max != null && max <= 0) {
            throw invalid("parley.server.max-calls-per-connection", max, "expected a positive number, or no value for no limit");
        }
        return max;
    }

    /** Applies {@code parley.server.admission.*} and {@code parley.server.cancel-grace}, checked. */
    static void operations(ParleyProperties.Server server, ParleyServer.Builder builder) {
        ParleyProperties.Admission admission = server.getAdmission();
        Integer max = admission.getMaxCallsInFlight();
        if (max != null) {
            if (max <= 0) {
                throw invalid("parley.server.admission.max-calls-in-flight", max, "expected a positive number, or no value for no limit");
            }
            Integer queued = admission.getMaxQueued();
            if (queued != null && queued < 0) {
                throw invalid("parley.server.admission.max-queued", queued, "expected zero or more");
            }
            Duration wait = admission.getMaxWait();
            if (wait.isNegative() || wait.isZero()) {
                throw invalid("parley.server.admission.max-wait", wait, "expected a positive duration");
            }
            builder.maxCallsInFlight(max, (queued != null) ? queued : max, wait);
        }
        Duration grace = server.getCancelGrace();
        if (grace.isNegative()) {
            throw invalid("parley.server.cancel-grace", grace, "expected a positive duration, or 0 for no limit");
        }
        builder.cancelGrace(grace.isZero() ? null : grace);
    }

    static @Nullable String mappingPath(ParleyProperties.Server server) {
        String path = server.getMappingPath();
        if (path == null || path.isEmpty()) {
            return null;
        }
        if (!path.startsWith("/")) {
            throw invalid("parley.server.mapping-path", path, "expected a path starting with '/', such as /parley");
        }
        return path;
    }

    /** The client's transport, or {@code null} when no targets are configured. */
    static @Nullable RSocketClientTransport clientTransport(ParleyProperties.Client client, ObjectProvider<SslBundles> sslBundles) {
        List<String> targets = client.getTargets();
        Duration connectTimeout = client.getConnectTimeout();
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw invalid("parley.client.connect-timeout", connectTimeout, "expected a positive duration, such as 10s");
        }
        if (targets.isEmpty()) {
            return null;
        }
        SslContext ssl = clientSsl(client, sslBundles);
        List<RSocketClientTransport> transports = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            String property = "parley.client.targets[" + i + "]";
            RSocketClientTransport transport = target(property, targets.get(i), client.getTransport());
            if (ssl != null) {
                transport = transport.secure(ssl);
            }
            else if (isWss(targets.get(i))) {
                transport = transport.secure(defaultClientSslContext(property));
            }
            transports.add(transport.connectTimeout(connectTimeout));
        }
        if (transports.size() == 1) {
            return withSessionOptions(transports.get(0), client, false);
        }
        RSocketClientTransport[] all = transports.toArray(RSocketClientTransport[]::new);
        return withSessionOptions((client.getBalance() == ParleyProperties.Balance.WEIGHTED) ? RSocketClientTransport.weighted(all)
                : RSocketClientTransport.roundRobin(all), client, true);
    }

    /** The client's TLS context from {@code parley.client.ssl.*}, or {@code null} without TLS. */
    static @Nullable SslContext clientSsl(ParleyProperties.Client client, ObjectProvider<SslBundles> sslBundles) {
        SslBundle bundle = sslBundle("parley.client.ssl", client.getSsl(), sslBundles);
        return (bundle != null) ? clientSslContext(bundle) : null;
    }

    static RSocketClientTransport target(String property, @Nullable String target, Transport transport) {
        String expected = "expected 'host:port', or a 'ws://host:port/path' or 'wss://host:port/path' URL";
        if (target == null || target.isBlank()) {
            throw invalid(property, target, expected);
        }
        String value = target.trim();
        if (isWss(value) || value.toLowerCase(Locale.ROOT).startsWith("ws://")) {
            try {
                URI uri = new URI(value);
                if (uri.getHost() == null || uri.getPort() < 0) {
                    throw invalid(property, target, expected + " with a host and a port");
                }
                String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
                return RSocketClientTransport.websocket(uri.getHost(), uri.getPort(), path);
            }
            catch (URISyntaxException ex) {
                throw invalid(property, target, expected);
            }
        }
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw invalid(property, target, expected);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        }
        catch (NumberFormatException ex) {
            throw invalid(property, target, expected);
        }
        if (port <= 0 || port > 65535) {
            throw invalid(property, target, expected + ", with a port from 1 to 65535");
        }
        if (transport == Transport.IN_PROCESS) {
            throw invalid("parley.client.transport", transport,
                    "the in-process transport reaches only the application's own server: leave parley.client.targets empty");
        }
        return (transport == Transport.WEBSOCKET) ? RSocketClientTransport.websocket(host, port)
                : RSocketClientTransport.tcp(host, port);
    }

    private static boolean isWss(String target) {
        return target.trim().toLowerCase(Locale.ROOT).startsWith("wss://");
    }

    static CallOptions defaultOptions(ParleyProperties.Timeout timeout) {
        Duration graceful = timeout.getGraceful();
        Duration abortive = timeout.getAbortive();
        if (graceful != null && (graceful.isNegative() || graceful.isZero())) {
            throw invalid("parley.client.timeout.graceful", graceful, "expected a positive duration, such as 5s");
        }
        if (abortive != null && (abortive.isNegative() || abortive.isZero())) {
            throw invalid("parley.client.timeout.abortive", abortive, "expected a positive duration, such as 10s");
        }
        if (graceful != null && abortive != null) {
            if (graceful.compareTo(abortive) >= 0) {
                throw invalid("parley.client.timeout.graceful", graceful,
                        "expected less than parley.client.timeout.abortive (" + abortive + ")");
            }
            return CallOptions.timeout(graceful, abortive);
        }
        if (abortive != null) {
            return CallOptions.timeout(abortive);
        }
        if (graceful != null) {
            return CallOptions.gracefulTimeout(graceful);
        }
        return CallOptions.DEFAULT;
    }

    static RetryPolicy retryPolicy(ParleyProperties.Retry retry) {
        if (retry.getMaxAttempts() < 1) {
            throw invalid("parley.client.retry.max-attempts", retry.getMaxAttempts(), "expected at least 1 (1 turns retries off)");
        }
        Duration first = retry.getFirstBackoff();
        if (first == null || first.isNegative() || first.isZero()) {
            throw invalid("parley.client.retry.first-backoff", first, "expected a positive duration, such as 50ms");
        }
        Duration max = retry.getMaxBackoff();
        if (max == null || max.compareTo(first) < 0) {
            throw invalid("parley.client.retry.max-backoff", max,
                    "expected at least parley.client.retry.first-backoff (" + first + ")");
        }
        return RetryPolicy.of(retry.getMaxAttempts(), first, max);
    }

    private static @Nullable SslBundle sslBundle(String prefix, ParleyProperties.Ssl ssl, ObjectProvider<SslBundles> sslBundles) {
        if (!ssl.isEnabled()) {
            return null;
        }
        String name = ssl.getBundle();
        if (name == null || name.isBlank()) {
            throw invalid(prefix + ".bundle", name, "expected the name of an SSL bundle (spring.ssl.bundle.*) when "
                    + prefix + ".enabled is true");
        }
        SslBundles bundles = sslBundles.getIfAvailable();
        if (bundles == null) {
            throw invalid(prefix + ".bundle", name, "expected an SSL bundle, but the application has no SslBundles");
        }
        try {
            return bundles.getBundle(name);
        }
        catch (NoSuchSslBundleException ex) {
            throw invalid(prefix + ".bundle", name, "expected the name of an SSL bundle (spring.ssl.bundle.*): " + ex.getMessage());
        }
    }

    private static SslContext serverSslContext(SslBundle bundle) {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(bundle.getManagers().getKeyManagerFactory())
                    .trustManager(bundle.getManagers().getTrustManagerFactory());
            return options(builder, bundle).build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("The Parley server could not use SSL bundle: " + ex.getMessage(), ex);
        }
    }

    private static SslContext clientSslContext(SslBundle bundle) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .keyManager(bundle.getManagers().getKeyManagerFactory())
                    .trustManager(bundle.getManagers().getTrustManagerFactory());
            return options(builder, bundle).build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("The Parley client could not use SSL bundle: " + ex.getMessage(), ex);
        }
    }

    /** TLS for a {@code wss://} target without a bundle: the JDK's trusted certificates. */
    private static SslContext defaultClientSslContext(String property) {
        try {
            return SslContextBuilder.forClient().build();
        }
        catch (SSLException ex) {
            throw new IllegalStateException("TLS for " + property + " could not be set up: " + ex.getMessage(), ex);
        }
    }

    private static SslContextBuilder options(SslContextBuilder builder, SslBundle bundle) {
        String[] protocols = bundle.getOptions().getEnabledProtocols();
        if (protocols != null) {
            builder.protocols(protocols);
        }
        String[] ciphers = bundle.getOptions().getCiphers();
        if (ciphers != null) {
            builder.ciphers(List.of(ciphers));
        }
        return builder;
    }

    static InvalidConfigurationPropertyValueException invalid(String property, @Nullable Object value, String reason) {
        return new InvalidConfigurationPropertyValueException(property, value, reason);
    }
}
