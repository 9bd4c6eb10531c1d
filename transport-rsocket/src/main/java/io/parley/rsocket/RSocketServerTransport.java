package io.parley.rsocket;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.netty.handler.ssl.SslContext;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportServer;
import io.rsocket.core.RSocketServer;
import io.rsocket.transport.local.LocalServerTransport;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.transport.netty.server.WebsocketServerTransport;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpServer;

/**
 * Serves Parley calls over RSocket: on TCP, on WebSocket, or on an in-JVM local transport.
 *
 * <pre>{@code
 * ParleyServer server = ParleyServer.builder()
 *         .method(ServerMethod.mono("echo", String.class, Mono::just))
 *         .transport(RSocketServerTransport.tcp("127.0.0.1", 7000))
 *         .bindNow();
 * server.address();                                   // "127.0.0.1:7000"
 *
 * RSocketServerTransport.tcp("0.0.0.0", 7443).secure(sslContext);   // TLS
 * RSocketServerTransport.websocket("127.0.0.1", 0);                  // port 0: any free port
 * RSocketServerTransport.tcp("127.0.0.1", 7000)
 *         .runOn(LoopResources.create("parley-server", 1, true));     // one event-loop thread
 * RSocketServerTransport.tcp("0.0.0.0", 7000).leases(Duration.ofSeconds(1));    // its free capacity as leases
 * RSocketServerTransport.tcp("0.0.0.0", 7000).resume(Duration.ofMinutes(1));    // sessions that outlive a drop
 * }</pre>
 *
 * <p>Each connection's SETUP names the data MIME type its requests are encoded in
 * ({@code application/json} from Spring and rsocket-js by default), and the metadata MIME type:
 * composite metadata, or bare routing metadata. Immutable; every option returns a new instance.
 */
public final class RSocketServerTransport implements ServerTransport {

    private enum Kind { TCP, WEBSOCKET, LOCAL }

    private final Kind kind;
    private final String host;
    private final int port;
    private final @Nullable SslContext ssl;
    private final @Nullable LoopResources loops;
    /** How long a session waits for its client to resume it; {@code null} without resumption. */
    private final @Nullable Duration resume;
    /** How long each lease lives, and how often they are renewed; {@code null} without leases. */
    private final @Nullable Duration leases;

    private RSocketServerTransport(Kind kind, String host, int port, @Nullable SslContext ssl, @Nullable LoopResources loops,
            @Nullable Duration resume, @Nullable Duration leases) {
        this.kind = kind;
        this.host = host;
        this.port = port;
        this.ssl = ssl;
        this.loops = loops;
        this.resume = resume;
        this.leases = leases;
    }

    /**
     * TCP on the given address.
     *
     * @param host the address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
     * @param port the port, or 0 for any free one
     * @return the transport
     */
    public static RSocketServerTransport tcp(String host, int port) {
        return new RSocketServerTransport(Kind.TCP, Objects.requireNonNull(host, "host"), checkPort(port), null, null, null, null);
    }

    /**
     * WebSocket on the given address, at path {@code /}.
     *
     * @param host the address to bind
     * @param port the port, or 0 for any free one
     * @return the transport
     */
    public static RSocketServerTransport websocket(String host, int port) {
        return new RSocketServerTransport(Kind.WEBSOCKET, Objects.requireNonNull(host, "host"), checkPort(port), null, null, null, null);
    }

    /**
     * RSocket's in-JVM local transport under a name, for tests; it exercises RSocket's framing
     * without a socket.
     *
     * @param name the name clients connect to
     * @return the transport
     */
    public static RSocketServerTransport local(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: \"\" (expected: a non-empty name)");
        }
        return new RSocketServerTransport(Kind.LOCAL, name, 0, null, null, null, null);
    }

    /**
     * Returns this transport served over TLS.
     *
     * @param sslContext a server context, e.g. from Netty's {@code SslContextBuilder.forServer(...)}
     * @return the secure transport
     * @throws IllegalStateException for the local transport, which has no socket to secure
     */
    public RSocketServerTransport secure(SslContext sslContext) {
        Objects.requireNonNull(sslContext, "sslContext");
        if (kind == Kind.LOCAL) {
            throw new IllegalStateException("secure: the local transport has no socket to secure (expected: tcp or websocket)");
        }
        if (!sslContext.isServer()) {
            throw new IllegalArgumentException("sslContext: a client context (expected: a server context)");
        }
        return new RSocketServerTransport(kind, host, port, sslContext, loops, resume, leases);
    }

    /**
     * Returns this transport serving on the given Reactor Netty event loops instead of Reactor
     * Netty's shared default ones (as many threads as cores). With
     * {@code LoopResources.create("parley-server", 1, true)} one thread accepts, reads and writes
     * every connection, which is what a benchmark pinning its threads to CPUs wants, or a
     * process that must keep its thread count down. Native epoll is used when Netty's
     * {@code netty-transport-native-epoll} is on the class path, as with the defaults. The
     * caller owns the loops: disposing the server leaves them running.
     *
     * @param loopResources the event loops to serve on
     * @return the transport
     * @throws IllegalStateException for the local transport, which has no event loops
     */
    public RSocketServerTransport runOn(LoopResources loopResources) {
        Objects.requireNonNull(loopResources, "loopResources");
        if (kind == Kind.LOCAL) {
            throw new IllegalStateException("runOn: the local transport has no event loops (expected: tcp or websocket)");
        }
        return new RSocketServerTransport(kind, host, port, ssl, loopResources, resume, leases);
    }

    /**
     * Returns this transport keeping each session of a client that asks for resumption
     * ({@link RSocketClientTransport#resume}) for up to {@code window} after its connection
     * drops: a client that connects again within it resumes the session, RSocket replays the
     * frames either side missed, and the session's calls, streams included, go on as if nothing
     * happened: no handler sees a cancel. Past the window the session ends and its calls are
     * cancelled as the connection's loss ({@code CancelReason.CONNECTION_LOST}). Clients that do
     * not ask for resumption are served as without it.
     *
     * <p>Not for a fleet behind a balancer: the session lives in this server's memory, and its
     * token does not follow a client that a balancer or a load-balancing proxy sends to another
     * server, which refuses the resumption. The frames a session may have to send again are kept
     * in memory (at most about 100 KB a session; those the client's keepalives acknowledge are
     * dropped).
     *
     * @param window how long a session waits for its client, positive
     * @return the transport
     */
    public RSocketServerTransport resume(Duration window) {
        positive(window, "window");
        return new RSocketServerTransport(kind, host, port, ssl, loops, window, leases);
    }

    /**
     * Returns this transport handing out the server's free capacity as RSocket leases: each
     * connection is told, in LEASE frames, how many calls it may start within {@code ttl}, and
     * RSocket refuses the calls beyond. Leases are sized from the server's free capacity
     * ({@code ParleyServer.Builder.maxCallsInFlight}); they are renewed every half {@code ttl},
     * the capacity shared among the connections by their demand since the last renewal (an idle
     * connection keeps a little), never more in all than what is free, and a connection that
     * arrives gets an even share at once. With nothing free, a connection's lease lapses: its
     * client's calls wait for the next one. A server without a limit hands out unbounded leases.
     * A client balancing over several servers ({@code RSocketClientTransport.weighted(...).leases()})
     * then sends its calls to the servers that have room before any has to refuse one.
     *
     * <p>Only clients that honour leases are served ({@link RSocketClientTransport#leases()}):
     * RSocket-Java sends leases to every client, and one that did not ask for them closes the
     * connection on the first, so such a client is refused at SETUP with
     * {@code RPC_S_PROTOCOL_ERROR}.
     *
     * @param ttl how long each lease lives, at least 10 ms; leases are renewed twice as often
     * @return the transport
     */
    public RSocketServerTransport leases(Duration ttl) {
        positive(ttl, "ttl");
        if (ttl.toMillis() < 10 || ttl.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: 10 ms to " + Integer.MAX_VALUE + " ms)");
        }
        return new RSocketServerTransport(kind, host, port, ssl, loops, resume, ttl);
    }

    @Override
    public Mono<TransportServer> bind(CallAcceptor acceptor) {
        Objects.requireNonNull(acceptor, "acceptor");
        Duration ttl = leases;
        LeaseDealer dealer = ttl != null ? new LeaseDealer(acceptor, ttl) : null;
        ParleySocketAcceptor connections = new ParleySocketAcceptor(acceptor, resume, dealer);
        RSocketServer server = connections.server();
        return bind(server, connections).doOnError(error -> connections.closeAll());
    }

    private Mono<TransportServer> bind(RSocketServer server, ParleySocketAcceptor connections) {
        switch (kind) {
            case LOCAL:
                return server.bind(ParleySocketAcceptor.withRemoteAddress(LocalServerTransport.create(host)))
                        .map(closeable -> new BoundServer("local:" + host, closeable, connections));
            case WEBSOCKET:
                HttpServer http = socket(HttpServer.create());
                return server.bind(ParleySocketAcceptor.withRemoteAddress(
                        WebsocketServerTransport.create(ssl == null ? http : http.secure(spec -> spec.sslContext(ssl)))))
                        .map(channel -> new BoundServer(format(channel.address()), channel, connections));
            default:
                TcpServer tcp = socket(TcpServer.create());
                return server.bind(ParleySocketAcceptor.withRemoteAddress(
                        TcpServerTransport.create(ssl == null ? tcp : tcp.secure(spec -> spec.sslContext(ssl)))))
                        .map(channel -> new BoundServer(format(channel.address()), channel, connections));
        }
    }

    /** Reactor Netty's server on this transport's address, on its own loops if it has them; TLS is the caller's, whose type has it. */
    private <T extends reactor.netty.transport.ServerTransport<T, ?>> T socket(T server) {
        T s = server.host(host).port(port);
        return loops != null ? s.runOn(loops) : s;
    }

    private static String format(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    private static int checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0 to 65535)");
        }
        return port;
    }

    @Override
    public String toString() {
        return "RSocketServerTransport{" + kind.name().toLowerCase(Locale.ROOT) + " " + host
                + (kind == Kind.LOCAL ? "" : ":" + port) + (ssl != null ? ", tls" : "") + (loops != null ? ", own loops" : "")
                + (resume != null ? ", resume " + resume : "") + (leases != null ? ", leases " + leases : "") + "}";
    }

    /** A bound RSocket server, as core sees it. */
    private static final class BoundServer implements TransportServer {

        private final String address;
        private final io.rsocket.Closeable closeable;
        private final ParleySocketAcceptor connections;

        BoundServer(String address, io.rsocket.Closeable closeable, ParleySocketAcceptor connections) {
            this.address = address;
            this.closeable = closeable;
            this.connections = connections;
        }

        @Override
        public String address() {
            return address;
        }

        @Override
        public Mono<Void> onClose() {
            return closeable.onClose();
        }

        @Override
        public void dispose() {
            closeable.dispose();
            connections.closeAll();
        }

        @Override
        public boolean isDisposed() {
            return closeable.isDisposed();
        }
    }
}
