package io.parley.rsocket;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.ClientTransport;
import io.rsocket.core.RSocketConnector;
import reactor.core.publisher.Mono;
import io.rsocket.util.ByteBufPayload;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.loadbalance.LoadbalanceStrategy;
import io.rsocket.loadbalance.LoadbalanceTarget;
import io.rsocket.loadbalance.RoundRobinLoadbalanceStrategy;
import io.rsocket.loadbalance.WeightedLoadbalanceStrategy;
import io.rsocket.transport.local.LocalClientTransport;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.client.WebsocketClientTransport;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;

/**
 * Connects a Parley client to a server over RSocket, or to several servers through RSocket's
 * own load balancer.
 *
 * <pre>{@code
 * ParleyClient client = ParleyClient.builder()
 *         .transport(RSocketClientTransport.tcp("127.0.0.1", 7000))
 *         .build();
 *
 * RSocketClientTransport.tcp("orders.internal", 7443).secure(clientSslContext);
 * RSocketClientTransport.websocket("127.0.0.1", 8080, "/rsocket");
 * RSocketClientTransport.roundRobin(RSocketClientTransport.tcp("10.0.0.1", 7000),
 *                                   RSocketClientTransport.tcp("10.0.0.2", 7000));
 * }</pre>
 *
 * <p>The connection is made on the first call and made again for the next call after it drops.
 * A call that cannot connect ends with {@code RPC_S_SERVER_UNAVAILABLE} (after at most the
 * connect timeout, 10 s by default); calls in flight when the connection drops end with
 * {@code RPC_S_COMM_FAILURE}. Keepalive frames go out every 20 s, and a peer that has not
 * answered them for 90 s is taken for dead: both are RSocket's defaults and can be changed.
 *
 * <p>Immutable; every option returns a new instance.
 */
public final class RSocketClientTransport implements ClientTransport {

    private enum Kind { TCP, WEBSOCKET, LOCAL, ROUND_ROBIN, WEIGHTED }

    /** The default bound on establishing a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The default interval between keepalive frames. */
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(20);
    /** The default time without a keepalive answer after which the connection is closed. */
    public static final Duration DEFAULT_KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(90);

    private final Kind kind;
    private final String host;
    private final int port;
    private final String path;
    private final @Nullable SslContext ssl;
    private final Duration connectTimeout;
    private final Duration keepAliveInterval;
    private final Duration keepAliveMaxLifeTime;
    private final List<RSocketClientTransport> targets;
    private final @Nullable LoopResources loops;

    private RSocketClientTransport(Kind kind, String host, int port, String path, @Nullable SslContext ssl,
            Duration connectTimeout, Duration keepAliveInterval, Duration keepAliveMaxLifeTime,
            List<RSocketClientTransport> targets, @Nullable LoopResources loops) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.path = path;
        this.ssl = ssl;
        this.connectTimeout = connectTimeout;
        this.keepAliveInterval = keepAliveInterval;
        this.keepAliveMaxLifeTime = keepAliveMaxLifeTime;
        this.targets = targets;
        this.loops = loops;
    }

    private static RSocketClientTransport of(Kind kind, String host, int port, String path, List<RSocketClientTransport> targets) {
        return new RSocketClientTransport(kind, host, port, path, null, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_MAX_LIFETIME, targets, null);
    }

    /**
     * TCP to the given server.
     *
     * @param host the server's host name or address
     * @param port the server's port
     * @return the transport
     */
    public static RSocketClientTransport tcp(String host, int port) {
        return of(Kind.TCP, Objects.requireNonNull(host, "host"), checkPort(port), "", List.of());
    }

    /**
     * WebSocket to the given server, at path {@code /}.
     *
     * @param host the server's host name or address
     * @param port the server's port
     * @return the transport
     */
    public static RSocketClientTransport websocket(String host, int port) {
        return websocket(host, port, "/");
    }

    /**
     * WebSocket to the given server and path.
     *
     * @param host the server's host name or address
     * @param port the server's port
     * @param path the WebSocket path, e.g. {@code /rsocket}
     * @return the transport
     */
    public static RSocketClientTransport websocket(String host, int port, String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' (expected: a path starting with /)");
        }
        return of(Kind.WEBSOCKET, Objects.requireNonNull(host, "host"), checkPort(port), path, List.of());
    }

    /**
     * RSocket's in-JVM local transport, to a server bound with {@link RSocketServerTransport#local}.
     *
     * @param name the server's name
     * @return the transport
     */
    public static RSocketClientTransport local(String name) {
        return of(Kind.LOCAL, Objects.requireNonNull(name, "name"), 0, "", List.of());
    }

    /**
     * Balances calls over several servers in turn, with RSocket's round-robin strategy. The
     * keepalive and connect timeout are this transport's; TLS and addresses are each target's.
     *
     * @param targets the servers, at least one
     * @return the transport
     */
    public static RSocketClientTransport roundRobin(RSocketClientTransport... targets) {
        return balanced(Kind.ROUND_ROBIN, targets);
    }

    /**
     * Balances calls over several servers by their measured latency and load, with RSocket's
     * weighted strategy.
     *
     * @param targets the servers, at least one
     * @return the transport
     */
    public static RSocketClientTransport weighted(RSocketClientTransport... targets) {
        return balanced(Kind.WEIGHTED, targets);
    }

    private static RSocketClientTransport balanced(Kind kind, RSocketClientTransport... targets) {
        List<RSocketClientTransport> list = List.of(targets);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("targets: none (expected: at least one server)");
        }
        for (RSocketClientTransport target : list) {
            if (!target.targets.isEmpty()) {
                throw new IllegalArgumentException("targets: " + target + " is itself balanced (expected: single servers)");
            }
        }
        return of(kind, "", 0, "", list);
    }

    /**
     * Returns this transport over TLS.
     *
     * @param sslContext a client context, e.g. from Netty's {@code SslContextBuilder.forClient()}
     * @return the secure transport
     */
    public RSocketClientTransport secure(SslContext sslContext) {
        Objects.requireNonNull(sslContext, "sslContext");
        if (kind != Kind.TCP && kind != Kind.WEBSOCKET) {
            throw new IllegalStateException("secure: " + this + " has no socket of its own to secure (expected: tcp or websocket)");
        }
        if (!sslContext.isClient()) {
            throw new IllegalArgumentException("sslContext: a server context (expected: a client context)");
        }
        return new RSocketClientTransport(kind, host, port, path, sslContext, connectTimeout,
                keepAliveInterval, keepAliveMaxLifeTime, targets, loops);
    }

    /**
     * Returns this transport with another connect timeout.
     *
     * @param timeout how long establishing a connection may take, positive
     * @return the transport
     */
    public RSocketClientTransport connectTimeout(Duration timeout) {
        positive(timeout, "connectTimeout");
        return new RSocketClientTransport(kind, host, port, path, ssl, timeout, keepAliveInterval, keepAliveMaxLifeTime, targets, loops);
    }

    /**
     * Returns this transport with another keepalive.
     *
     * @param interval how often a keepalive frame goes out, positive
     * @param maxLifeTime how long the peer may stay silent before the connection is closed and
     *        its calls end with {@code RPC_S_COMM_FAILURE}; longer than {@code interval}
     * @return the transport
     */
    public RSocketClientTransport keepAlive(Duration interval, Duration maxLifeTime) {
        positive(interval, "interval");
        positive(maxLifeTime, "maxLifeTime");
        if (maxLifeTime.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("maxLifeTime: " + maxLifeTime + " (expected: > interval, " + interval + ")");
        }
        return new RSocketClientTransport(kind, host, port, path, ssl, connectTimeout, interval, maxLifeTime, targets, loops);
    }

    /**
     * Returns this transport connecting on the given Reactor Netty event loops instead of
     * Reactor Netty's shared default ones. With {@code LoopResources.create("parley-client", 1, true)}
     * one thread reads and writes the connection, which is what a benchmark pinning its threads
     * to CPUs wants. Native epoll is used when Netty's {@code netty-transport-native-epoll} is on
     * the class path, as with the defaults. The caller owns the loops: disposing the client
     * leaves them running.
     *
     * @param loopResources the event loops to connect on
     * @return the transport
     * @throws IllegalStateException for the local transport, which has no event loops, and for a
     *         balanced one, whose targets each take their own
     */
    public RSocketClientTransport runOn(LoopResources loopResources) {
        Objects.requireNonNull(loopResources, "loopResources");
        if (kind != Kind.TCP && kind != Kind.WEBSOCKET) {
            throw new IllegalStateException("runOn: " + this + " has no socket of its own (expected: tcp or websocket)");
        }
        return new RSocketClientTransport(kind, host, port, path, ssl, connectTimeout, keepAliveInterval,
                keepAliveMaxLifeTime, targets, loopResources);
    }

    @Override
    public ClientConnection connect(ClientSetup setup) {
        RSocketConnector connector = RSocketConnector.create()
                .dataMimeType(setup.dataMimeType())
                .maxInboundPayloadSize(ParleySocketAcceptor.reassemblyLimit(setup.maxInboundPayloadSize()))
                .metadataMimeType(ParleyMetadataCodec.COMPOSITE_MIME_TYPE)
                .keepAlive(keepAliveInterval, keepAliveMaxLifeTime)
                .payloadDecoder(PayloadDecoder.ZERO_COPY);
        io.parley.core.Credentials credentials = setup.credentials();
        if (credentials != null) {
            // A payload of its own for each connection made, as RSocket releases it once sent.
            connector.setupPayload(Mono.fromCallable(() -> ByteBufPayload.create(Unpooled.EMPTY_BUFFER,
                    ParleyMetadataCodec.encodeSetup(ByteBufAllocator.DEFAULT, credentials))));
        }
        if (targets.isEmpty()) {
            return RSocketConnection.single(connector, rsocketTransport(connectTimeout), toString(), setup.keepsReplies());
        }
        // The balanced transport's connect timeout is every target's, as its javadoc says.
        List<LoadbalanceTarget> list = targets.stream()
                .map(target -> LoadbalanceTarget.from(target.toString(), target.rsocketTransport(connectTimeout)))
                .toList();
        LoadbalanceStrategy strategy = kind == Kind.WEIGHTED ? WeightedLoadbalanceStrategy.create() : new RoundRobinLoadbalanceStrategy();
        return RSocketConnection.balanced(connector, list, strategy, toString(), setup.keepsReplies());
    }

    private io.rsocket.transport.ClientTransport rsocketTransport(Duration connectTimeout) {
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        switch (kind) {
            case LOCAL:
                return LocalClientTransport.create(host);
            case WEBSOCKET:
                HttpClient http = socket(HttpClient.create(), timeoutMillis);
                return WebsocketClientTransport.create(ssl == null ? http : http.secure(spec -> spec.sslContext(ssl)), path);
            case TCP:
                TcpClient tcp = socket(TcpClient.create(), timeoutMillis);
                return TcpClientTransport.create(ssl == null ? tcp : tcp.secure(spec -> spec.sslContext(ssl)));
            default:
                throw new IllegalStateException("a balanced transport has no single RSocket transport");
        }
    }

    /** Reactor Netty's client to this transport's address, on its own loops if it has them; TLS is the caller's, whose type has it. */
    private <T extends reactor.netty.transport.ClientTransport<T, ?>> T socket(T client, int timeoutMillis) {
        T c = client.host(host).port(port).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis);
        return loops != null ? c.runOn(loops) : c;
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
        }
        return port;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case LOCAL -> "local:" + host;
            case ROUND_ROBIN, WEIGHTED -> kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + targets;
            case WEBSOCKET -> (ssl != null ? "wss://" : "ws://") + host + ":" + port + path;
            case TCP -> (ssl != null ? "tcp+tls://" : "tcp://") + host + ":" + port;
        };
    }
}
