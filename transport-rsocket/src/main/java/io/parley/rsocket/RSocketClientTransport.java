package io.parley.rsocket;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.ClientTransport;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.Resume;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.retry.Retry;
import io.rsocket.util.ByteBufPayload;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.loadbalance.LoadbalanceTarget;
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
 * RSocketClientTransport.weighted(discovery.servers("orders"))     // a list that changes
 *         .leases();                                               // honour the servers' leases
 * RSocketClientTransport.tcp("orders.internal", 7000)
 *         .resume(Duration.ofSeconds(30));                         // one server, session resumption
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

    private static final Logger log = Loggers.getLogger(RSocketClientTransport.class);

    private enum Kind { TCP, WEBSOCKET, LOCAL, ROUND_ROBIN, WEIGHTED }

    /** The default bound on establishing a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The default interval between keepalive frames. */
    public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(20);
    /** The default time without a keepalive answer after which the connection is closed. */
    public static final Duration DEFAULT_KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(90);

    /** How long a resuming client waits before its first attempt to reconnect after the first one failed. */
    private static final Duration RESUME_FIRST_BACKOFF = Duration.ofMillis(100);
    /** The longest wait between two attempts of a resuming client to reconnect. */
    private static final Duration RESUME_MAX_BACKOFF = Duration.ofSeconds(5);

    private final Kind kind;
    private final String host;
    private final int port;
    private final String path;
    private final @Nullable SslContext ssl;
    private final Duration connectTimeout;
    private final Duration keepAliveInterval;
    private final Duration keepAliveMaxLifeTime;
    /** A balancer's servers as given, for a fixed list; empty otherwise. */
    private final List<RSocketClientTransport> targets;
    /** A balancer's lists of servers: a fixed list is one that never changes; {@code null} for one server. */
    private final @Nullable Publisher<? extends Collection<RSocketClientTransport>> lists;
    private final @Nullable LoopResources loops;
    private final boolean leases;
    /** How long a session may wait for the client to come back; {@code null} without resumption. */
    private final @Nullable Duration resume;

    private RSocketClientTransport(Kind kind, String host, int port, String path, @Nullable SslContext ssl,
            Duration connectTimeout, Duration keepAliveInterval, Duration keepAliveMaxLifeTime,
            List<RSocketClientTransport> targets, @Nullable Publisher<? extends Collection<RSocketClientTransport>> lists,
            @Nullable LoopResources loops, boolean leases, @Nullable Duration resume) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.path = path;
        this.ssl = ssl;
        this.connectTimeout = connectTimeout;
        this.keepAliveInterval = keepAliveInterval;
        this.keepAliveMaxLifeTime = keepAliveMaxLifeTime;
        this.targets = targets;
        this.lists = lists;
        this.loops = loops;
        this.leases = leases;
        this.resume = resume;
    }

    private static RSocketClientTransport of(Kind kind, String host, int port, String path, List<RSocketClientTransport> targets,
            @Nullable Publisher<? extends Collection<RSocketClientTransport>> lists) {
        return new RSocketClientTransport(kind, host, port, path, null, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_KEEPALIVE_INTERVAL, DEFAULT_KEEPALIVE_MAX_LIFETIME, targets, lists, null, false, null);
    }

    /**
     * TCP to the given server.
     *
     * @param host the server's host name or address
     * @param port the server's port
     * @return the transport
     */
    public static RSocketClientTransport tcp(String host, int port) {
        return of(Kind.TCP, Objects.requireNonNull(host, "host"), checkPort(port), "", List.of(), null);
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
        return of(Kind.WEBSOCKET, Objects.requireNonNull(host, "host"), checkPort(port), path, List.of(), null);
    }

    /**
     * RSocket's in-JVM local transport, to a server bound with {@link RSocketServerTransport#local}.
     *
     * @param name the server's name
     * @return the transport
     */
    public static RSocketClientTransport local(String name) {
        return of(Kind.LOCAL, Objects.requireNonNull(name, "name"), 0, "", List.of(), null);
    }

    /**
     * Balances calls over several servers in turn, with RSocket's round-robin strategy. The
     * keepalive, connect timeout and leases are this transport's; TLS and addresses are each
     * target's.
     *
     * @param targets the servers, at least one
     * @return the transport
     */
    public static RSocketClientTransport roundRobin(RSocketClientTransport... targets) {
        return balanced(Kind.ROUND_ROBIN, targets);
    }

    /**
     * Balances calls over several servers by their measured latency and load, with RSocket's
     * weighted strategy. With {@link #leases()} a server's load includes what is left of its lease.
     *
     * @param targets the servers, at least one
     * @return the transport
     */
    public static RSocketClientTransport weighted(RSocketClientTransport... targets) {
        return balanced(Kind.WEIGHTED, targets);
    }

    /**
     * Balances calls in turn over servers whose list changes while the client runs, with
     * RSocket's round-robin strategy: each list the publisher emits replaces the last, in
     * RSocket's own balancer. A server that appears is connected to on demand; a server that
     * leaves takes no new calls, finishes the calls it has, and its connection is then closed.
     *
     * <p>Until the first list comes, and while the last list is empty, a call waits for a server
     * to be listed, at most the {@linkplain #connectTimeout connect timeout}, then ends with
     * {@code RPC_S_SERVER_UNAVAILABLE}. A list that completes keeps its last list; one that errors
     * does too, and the error is logged: the balancer goes on with the servers it has. Entries
     * that are themselves balanced or resume sessions are left out, with a warning. The
     * publisher is subscribed once per client, when the client connects, and cancelled when the
     * client is disposed.
     *
     * <pre>{@code
     * Flux<List<RSocketClientTransport>> servers = registry.watch("orders")      // your discovery
     *         .map(instances -> instances.stream()
     *                 .map(i -> RSocketClientTransport.tcp(i.host(), i.port()))
     *                 .toList());
     * ParleyClient client = ParleyClient.builder()
     *         .transport(RSocketClientTransport.roundRobin(servers))
     *         .build();
     * }</pre>
     *
     * @param targets the lists of servers, each a complete list; a server is known by its address
     *        (its {@link #toString()}), so the same address in two lists is the same server
     * @return the transport
     */
    public static RSocketClientTransport roundRobin(Publisher<? extends Collection<RSocketClientTransport>> targets) {
        return of(Kind.ROUND_ROBIN, "", 0, "", List.of(), Objects.requireNonNull(targets, "targets"));
    }

    /**
     * Balances calls by measured latency and load, with RSocket's weighted strategy, over
     * servers whose list changes while the client runs; otherwise as
     * {@link #roundRobin(Publisher)}.
     *
     * @param targets the lists of servers, each a complete list
     * @return the transport
     */
    public static RSocketClientTransport weighted(Publisher<? extends Collection<RSocketClientTransport>> targets) {
        return of(Kind.WEIGHTED, "", 0, "", List.of(), Objects.requireNonNull(targets, "targets"));
    }

    private static RSocketClientTransport balanced(Kind kind, RSocketClientTransport... targets) {
        List<RSocketClientTransport> list = List.of(targets);
        if (list.isEmpty()) {
            throw new IllegalArgumentException("targets: none (expected: at least one server)");
        }
        for (RSocketClientTransport target : list) {
            String refused = refusedTarget(target);
            if (refused != null) {
                throw new IllegalArgumentException("targets: " + refused);
            }
        }
        // A fixed list is a discovered list that never changes.
        return of(kind, "", 0, "", list, Mono.just(list));
    }

    /** Why a server cannot be a balancer's target, or {@code null} if it can. */
    private static @Nullable String refusedTarget(@Nullable RSocketClientTransport target) {
        if (target == null) {
            return "null (expected: a server)";
        }
        if (target.isBalanced()) {
            return target + " is itself balanced (expected: single servers)";
        }
        if (target.resume != null) {
            return target + " resumes sessions, which a balancer cannot (expected: no resume)";
        }
        return null;
    }

    private boolean isBalanced() {
        return lists != null;
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
                keepAliveInterval, keepAliveMaxLifeTime, targets, lists, loops, leases, resume);
    }

    /**
     * Returns this transport with another connect timeout. For a balancer it is every server's,
     * and also how long a call waits for a server to be listed while its list is empty.
     *
     * @param timeout how long establishing a connection may take, positive
     * @return the transport
     */
    public RSocketClientTransport connectTimeout(Duration timeout) {
        positive(timeout, "connectTimeout");
        return new RSocketClientTransport(kind, host, port, path, ssl, timeout, keepAliveInterval, keepAliveMaxLifeTime,
                targets, lists, loops, leases, resume);
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
        return new RSocketClientTransport(kind, host, port, path, ssl, connectTimeout, interval, maxLifeTime,
                targets, lists, loops, leases, resume);
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
                keepAliveMaxLifeTime, targets, lists, loopResources, leases, resume);
    }

    /**
     * Returns this transport honouring the server's RSocket leases: the client asks for leases in
     * its SETUP and sends a server no more calls than the server's last lease allows, within the
     * lease's time to live. For a server bound with {@link RSocketServerTransport#leases}, which
     * sizes each lease from its free capacity. A balancer with leases sends no call to a server
     * whose lease is used up while another has some left; with {@link #weighted} the unused part
     * of each server's lease weighs in its choice.
     *
     * <p>A call for which the connection has no lease left waits in RSocket's queue of the
     * connection (at most 256 calls) for the next lease, which the
     * server sends once it has room; a call that finds that queue full ends at once, unsent, with
     * {@code RPC_S_SERVER_TOO_BUSY}. A waiting call is bounded by its own timeout, like a call
     * queued on the server. A server that does not hand out leases refuses the connection.
     *
     * @return the transport
     */
    public RSocketClientTransport leases() {
        return new RSocketClientTransport(kind, host, port, path, ssl, connectTimeout, keepAliveInterval,
                keepAliveMaxLifeTime, targets, lists, loops, true, resume);
    }

    /** How many calls of one connection may wait for a lease before the next is refused: RSocket's default. */
    static final int MAX_CALLS_AWAITING_LEASE = 256;

    /**
     * Returns this transport resuming its RSocket session after the connection drops: the client
     * reconnects (at once, then backing off from 100 ms to at most 5 s between attempts) and
     * RSocket replays the frames the other side missed, so calls in flight, streams included, go
     * on as if nothing happened. The server must resume sessions too
     * ({@link RSocketServerTransport#resume}). If no connection is made again within
     * {@code window}, the session ends and its calls end with {@code RPC_S_COMM_FAILURE}; the next
     * call starts a new session.
     *
     * <p>For one server only: a session lives on the server that holds it, and its token does not
     * follow a balancer (or a proxy that balances connections) to another server. Frames sent
     * while the connection is down are kept in memory until the session resumes or ends.
     *
     * @param window how long the client keeps trying to resume, positive; the server's own window
     *        bounds how long it keeps the session
     * @return the transport
     * @throws IllegalStateException for a balanced transport
     */
    public RSocketClientTransport resume(Duration window) {
        positive(window, "window");
        if (isBalanced()) {
            throw new IllegalStateException("resume: " + this + " balances calls over several servers, and a session's "
                    + "token does not follow a balancer (expected: one server)");
        }
        ResumeTokens.prime();
        return new RSocketClientTransport(kind, host, port, path, ssl, connectTimeout, keepAliveInterval,
                keepAliveMaxLifeTime, targets, lists, loops, leases, window);
    }

    /**
     * Resume tokens: 16 unpredictable bytes, as RSocket's own (a random UUID), whose holder can
     * take the session over. RSocket's own come from the platform's default {@code SecureRandom},
     * which reads the operating system's entropy as it goes, on the event loop that connects; a
     * DRBG seeded once, outside the event loops, makes them in memory.
     */
    private static final class ResumeTokens {

        private static final int LENGTH = 16;
        private static final SecureRandom RANDOM = seeded();

        private static SecureRandom seeded() {
            SecureRandom random;
            try {
                random = SecureRandom.getInstance("DRBG");
            }
            catch (NoSuchAlgorithmException e) {
                random = new SecureRandom();
            }
            random.nextBytes(new byte[LENGTH]);
            return random;
        }

        /** Loads the class, and so seeds the generator, on the calling thread. */
        static void prime() {
            Objects.requireNonNull(RANDOM);
        }

        static ByteBuf next() {
            byte[] token = new byte[LENGTH];
            RANDOM.nextBytes(token);
            return Unpooled.wrappedBuffer(token);
        }
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
        if (leases) {
            connector.lease(spec -> spec.maxPendingRequests(MAX_CALLS_AWAITING_LEASE));
        }
        Duration window = resume;
        if (window != null) {
            connector.resume(new Resume()
                    .sessionDuration(window)
                    .cleanupStoreOnKeepAlive()
                    .token(ResumeTokens::next)
                    .retry(Retry.backoff(Long.MAX_VALUE, RESUME_FIRST_BACKOFF).maxBackoff(RESUME_MAX_BACKOFF)));
        }
        Publisher<? extends Collection<RSocketClientTransport>> l = lists;
        if (l == null) {
            return RSocketConnection.single(connector, rsocketTransport(connectTimeout), toString(), setup.keepsReplies());
        }
        return RSocketConnection.balanced(connector, Flux.from(l).map(this::loadbalanceTargets), kind == Kind.WEIGHTED, toString(),
                setup.keepsReplies(), connectTimeout);
    }

    /** A list of servers as RSocket's balancer takes it; the balanced transport's connect timeout is every target's. */
    private List<LoadbalanceTarget> loadbalanceTargets(Collection<RSocketClientTransport> servers) {
        List<LoadbalanceTarget> list = new ArrayList<>(servers.size());
        for (RSocketClientTransport server : servers) {
            String refused = refusedTarget(server);
            if (refused != null) {
                log.warn("{} leaves out a listed server: {}", this, refused);
                continue;
            }
            list.add(LoadbalanceTarget.from(server.toString(), server.rsocketTransport(connectTimeout)));
        }
        return list;
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

    /**
     * The server's address, e.g. {@code tcp://10.0.0.1:7000}: what a balancer knows a server
     * by. A balancer's is its strategy and its servers, {@code round-robin(discovered)} for a
     * list that changes.
     */
    @Override
    public String toString() {
        return switch (kind) {
            case LOCAL -> "local:" + host;
            case ROUND_ROBIN, WEIGHTED -> kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
                    + (targets.isEmpty() ? "(discovered)" : targets.toString());
            case WEBSOCKET -> (ssl != null ? "wss://" : "ws://") + host + ":" + port + path;
            case TCP -> (ssl != null ? "tcp+tls://" : "tcp://") + host + ":" + port;
        };
    }
}
