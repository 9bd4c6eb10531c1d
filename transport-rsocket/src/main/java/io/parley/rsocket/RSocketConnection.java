package io.parley.rsocket;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketClient;
import io.rsocket.core.RSocketConnector;
import io.rsocket.loadbalance.LoadbalanceRSocketClient;
import io.rsocket.loadbalance.LoadbalanceStrategy;
import io.rsocket.loadbalance.LoadbalanceTarget;
import io.rsocket.loadbalance.RoundRobinLoadbalanceStrategy;
import io.rsocket.loadbalance.WeightedLoadbalanceStrategy;
import io.rsocket.loadbalance.WeightedStats;
import io.rsocket.loadbalance.WeightedStatsRequestInterceptor;
import io.rsocket.plugins.RequestInterceptor;
import io.rsocket.util.ByteBufPayload;
import io.rsocket.util.RSocketProxy;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A Parley client's connection over RSocket, and the one owner of what is behind it: RSocket's
 * own {@link RSocketClient}, which connects on demand and again after a drop, or RSocket's
 * {@link LoadbalanceRSocketClient} over several servers. Parley adds no reconnect or balancing
 * of its own: it feeds the balancer its lists of servers, tells it the latest list again when a
 * call finds a server gone (so that the balancer's pool makes that server's connection anew),
 * and keeps the connection of a server the balancer let go of open until that server's calls
 * have ended, where RSocket's pool would close it under them.
 *
 * <p>Each call is an {@link RSocketCall}. To one server over a live connection it goes out at
 * once on that connection; otherwise it first waits for one ({@link #connected()}), which is the
 * only time it can be moved to another server: nothing has been sent.
 */
final class RSocketConnection implements ClientConnection {

    private static final Logger log = Loggers.getLogger(RSocketConnection.class);
    private static final Duration LET_GO_WAIT = Duration.ofSeconds(5);

    private static final AtomicReferenceFieldUpdater<RSocketConnection, RSocketClient> CLIENT =
            AtomicReferenceFieldUpdater.newUpdater(RSocketConnection.class, RSocketClient.class, "client");
    private static final AtomicIntegerFieldUpdater<RSocketConnection> DISPOSING =
            AtomicIntegerFieldUpdater.newUpdater(RSocketConnection.class, "disposing");

    /**
     * RSocket's client. One server's ends for good when a connect fails (RSocket expects a retry
     * inside the connect); the next call that needs a connection then makes a new one from
     * {@link #connect}. A balancer's never ends while this connection lives.
     */
    private volatile RSocketClient client;
    private final @Nullable Mono<RSocket> connect;
    private final String target;
    /** What feeds the balancer; {@code null} for one server. */
    private final @Nullable Balancer balancer;
    /** The RSocket the last call was sent on, when there is one server; calls skip the connect while it lives. */
    private volatile @Nullable RSocket live;
    private volatile boolean disposed;
    private volatile int disposing;
    private final ParleyMetadataCodec.Names routes = new ParleyMetadataCodec.Names();
    /** Whether the client's codec keeps what it decodes: its replies are copied out of RSocket's buffers. */
    private final boolean keepsReplies;

    private RSocketConnection(RSocketClient client, @Nullable Mono<RSocket> connect, String target, @Nullable Balancer balancer,
            boolean keepsReplies) {
        this.client = client;
        this.keepsReplies = keepsReplies;
        this.connect = connect;
        this.target = target;
        this.balancer = balancer;
    }

    /** To one server: RSocket's client connects on the first call and again after a drop. */
    static RSocketConnection single(RSocketConnector connector, io.rsocket.transport.ClientTransport transport, String target,
            boolean keepsReplies) {
        Mono<RSocket> connect = connector.connect(transport);
        return new RSocketConnection(RSocketClient.from(connect), connect, target, null, keepsReplies);
    }

    /**
     * Over servers with RSocket's balancer, fed each list {@code lists} emits. A fixed list is a
     * publisher of one list. The balancer's feed never completes, so a pool whose every server
     * has failed waits for the list again instead of ending for good ("Pool is exhausted").
     *
     * @param waitForServers how long a call waits for a server to be listed while there is none
     */
    static RSocketConnection balanced(RSocketConnector connector, Publisher<List<LoadbalanceTarget>> lists,
            boolean weighted, String target, boolean keepsReplies, Duration waitForServers) {
        Balancer balancer = new Balancer(target, waitForServers);
        LoadbalanceStrategy strategy;
        if (weighted) {
            // RSocket's weighted strategy measures each connection with its own request interceptor,
            // found by the requester it was made for; the balancer hands out the Server around
            // that requester, which carries it.
            connector.interceptors(registry -> registry.forRequestsInRequester(balancer::measured));
            strategy = WeightedLoadbalanceStrategy.builder().weightedStatsResolver(Balancer::stats).build();
        }
        else {
            strategy = new RoundRobinLoadbalanceStrategy();
        }
        connector.interceptors(registry -> registry.forRequester(balancer::server));
        LoadbalanceRSocketClient client = LoadbalanceRSocketClient.builder(balancer.fed.asFlux())
                .connector(connector)
                .loadbalanceStrategy(strategy)
                .build();
        RSocketConnection connection = new RSocketConnection(client, null, target, balancer, keepsReplies);
        balancer.start(client, lists);
        return connection;
    }

    @Override
    public TransportCall newCall(RpcRequest request) {
        return new RSocketCall(this, request);
    }

    boolean balanced() {
        return balancer != null;
    }

    /** What the client connects to, as its transport names it. */
    String target() {
        return target;
    }

    /** The one server's live RSocket, if there is one: a call can go out on it at once. */
    @Nullable RSocket live() {
        RSocket rsocket = live;
        return rsocket != null && !rsocket.isDisposed() ? rsocket : null;
    }

    /**
     * An RSocket connected to a server, for a call not yet sent. It errors with an
     * {@link RpcFault} ({@code RPC_S_SERVER_UNAVAILABLE}) when no connection could be made, a
     * {@link NoServerListed} one when a balancer's list stayed empty.
     */
    Mono<RSocket> connected() {
        if (disposed) {
            return Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the client is disposed"));
        }
        Balancer b = balancer;
        Mono<RSocket> connected = b != null
                ? b.pick(false)
                : client().source().flatMap(rsocket -> rsocket.isDisposed() ? afterLetGo(rsocket) : Mono.just(rsocket))
                        .doOnNext(rsocket -> live = rsocket);
        return connected.onErrorMap(error -> !(error instanceof RpcFault || error instanceof NoServerListed), error -> new RpcFault(RpcStatus.SERVER_UNAVAILABLE,
                "could not connect to " + target + ": " + error.getMessage(), error));
    }

    /**
     * Counts a call that is about to go out on {@code on}: a balancer closes a server it let go
     * of only once the server's calls have ended.
     *
     * @return {@code false} if the balancer has let go of that server and closed its connection
     *         since it was chosen: the call must go elsewhere
     */
    boolean callStarted(RSocket on) {
        return !(on instanceof Balancer.Server server) || server.callStarted();
    }

    /** A call counted by {@link #callStarted} has ended; called once per call that started. */
    void callEnded(RSocket on) {
        if (on instanceof Balancer.Server server) {
            server.callEnded();
        }
    }

    /** One server's client: a new one if the last ended after a failed connect. */
    private RSocketClient client() {
        RSocketClient current = client;
        Mono<RSocket> c = connect;
        if (!current.isDisposed() || c == null || disposed) {
            return current;
        }
        RSocketClient fresh = RSocketClient.from(c);
        if (CLIENT.compareAndSet(this, current, fresh)) {
            if (disposed) {
                fresh.dispose();
            }
            return fresh;
        }
        return client;
    }

    /**
     * RSocket ends a connection's requester as soon as it learns the connection is over (a
     * keepalive timeout, an ERROR on stream 0), but the client lets go of it only once the
     * connection has closed, a moment later. A call in that moment waits for the close, at most
     * {@link #LET_GO_WAIT}, and asks again: the next connection, not the dead one, carries it.
     */
    private Mono<RSocket> afterLetGo(RSocket ended) {
        return ended.onClose()
                .onErrorResume(error -> Mono.empty())
                .timeout(LET_GO_WAIT, Mono.empty())
                .then(Mono.defer(() -> client().source()))
                .flatMap(rsocket -> rsocket.isDisposed()
                        ? Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no live connection to " + target))
                        : Mono.just(rsocket));
    }

    /** A balancer's list stayed empty while a call waited for a server: a fault no other attempt helps. */
    static final class NoServerListed extends RuntimeException {

        private static final long serialVersionUID = 1L;

        NoServerListed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * What Parley does around RSocket's balancer: feeds it the lists of servers, knows the
     * connection behind each server it chose, and closes the connection of a server it let go of
     * once that server's calls have ended.
     */
    private static final class Balancer {

        private static final AtomicIntegerFieldUpdater<Balancer> FEEDING =
                AtomicIntegerFieldUpdater.newUpdater(Balancer.class, "feeding");

        private final String name;
        private final Duration waitForServers;
        /** What the balancer's pool is fed: the latest list, again whenever a server of it is gone. */
        final Sinks.Many<List<LoadbalanceTarget>> fed = Sinks.many().replay().latest();
        /** The latest list; {@code null} until the first comes. */
        private volatile @Nullable List<LoadbalanceTarget> latest;
        private volatile int feeding;
        private volatile boolean disposed;
        private @Nullable LoadbalanceRSocketClient client;
        /** The pool's stand-in while it has no server: a call must not be sent on it, as it cannot tell whether it was sent. */
        private @Nullable RSocket vacant;
        private @Nullable Disposable discovery;
        /** The pool's servers handed out so far whose end is watched. */
        private final Set<RSocket> watched = ConcurrentHashMap.newKeySet();
        /** The connection behind each of the pool's servers, once a call has gone through it. */
        private final Map<RSocket, Server> servers = new ConcurrentHashMap<>();
        /** Measures made for requesters not yet wrapped in their {@link Server}: for a moment, in the same call of the connector. */
        private final Map<RSocket, WeightedStats> measuring = new ConcurrentHashMap<>();
        /** Probes on their way through a pool's server to the connection behind it. */
        private final Map<Payload, RSocket> probes = new ConcurrentHashMap<>();

        Balancer(String name, Duration waitForServers) {
            this.name = name;
            this.waitForServers = waitForServers;
        }

        /**
         * Subscribes to the lists. The pool, which has none yet, hands out its stand-in for an
         * empty pool: kept, to know it later.
         */
        void start(LoadbalanceRSocketClient client, Publisher<List<LoadbalanceTarget>> lists) {
            this.client = client;
            client.source().subscribe(stand -> vacant = stand);
            discovery = Flux.from(lists).subscribe(this::listed,
                    error -> log.warn("The list of servers of {} failed; the balancer keeps its last list: {}", name, error.toString()));
        }

        private void listed(List<LoadbalanceTarget> list) {
            latest = list;
            feed();
        }

        /**
         * Tells the pool the latest list, from one thread at a time: a list that comes while
         * another is being fed is fed after it, so the pool always ends with the newest. The pool
         * lets go of the servers the list lacks as it takes it.
         */
        private void feed() {
            if (FEEDING.getAndIncrement(this) != 0) {
                return;
            }
            int missed = 1;
            do {
                List<LoadbalanceTarget> list = latest;
                if (list != null && !disposed) {
                    fed.tryEmitNext(list);
                }
                missed = FEEDING.addAndGet(this, -missed);
            } while (missed != 0);
        }

        /**
         * A connected server of the pool, as the pool chose it: the {@link Server} around its
         * connection once there is one, else the pool's own stand-in for the server, which
         * connects lazily, inside the first request through it. A call must not be that request,
         * or it could not know whether it was sent when the connect fails. So a probe goes through
         * the stand-in instead: it makes the connection and, reaching the connection's
         * {@link Server} (which answers it without sending anything), tells it its stand-in.
         *
         * @param refed whether the pool was just told the list again after finding it empty
         */
        Mono<RSocket> pick(boolean refed) {
            LoadbalanceRSocketClient c = client;
            if (c == null) {
                return Mono.error(new IllegalStateException("the balancer has not started"));
            }
            return c.source().flatMap(selected -> {
                if (selected instanceof Server server) {
                    return server.isDisposed()
                            ? Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the connection to a server of " + name + " has closed"))
                            : Mono.just(server);
                }
                if (selected != vacant) {
                    return probed(selected);
                }
                List<LoadbalanceTarget> list = latest;
                if (list != null && !list.isEmpty()) {
                    if (refed) {
                        return Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no server of " + name + " could be reached"));
                    }
                    // The pool lost its last server a moment ago and is about to be told the list again.
                    feed();
                    return pick(true);
                }
                return fed.asFlux()
                        .filter(next -> !next.isEmpty())
                        .next()
                        .timeout(waitForServers, Mono.error(() -> new NoServerListed("no server to call: the list of "
                                + name + " has been empty for " + waitForServers.toMillis() + " ms")))
                        .then(Mono.defer(() -> pick(true)));
            });
        }

        private Mono<RSocket> probed(RSocket pooled) {
            if (watched.add(pooled)) {
                pooled.onClose().subscribe(null, error -> ended(pooled), () -> ended(pooled));
            }
            Payload probe = ByteBufPayload.create(Unpooled.EMPTY_BUFFER, Unpooled.EMPTY_BUFFER);
            probes.put(probe, pooled);
            return pooled.metadataPush(probe)
                    .doFinally(signal -> probes.remove(probe))
                    .then(Mono.fromCallable(() -> {
                        Server server = servers.get(pooled);
                        if (server == null) {
                            throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the connection to a server of " + name + " ended as it was made");
                        }
                        return server;
                    }));
        }

        /** A server of the pool is gone: the pool is told the list again, and remakes that server if it is on it. */
        private void ended(RSocket pooled) {
            watched.remove(pooled);
            servers.remove(pooled);
            feed();
        }

        /** The requester of each connection the pool makes, as the pool holds it. */
        Server server(RSocket requester) {
            return new Server(requester, measuring.remove(requester));
        }

        /** The weighted strategy's measure of a connection, made as its requester is. */
        RequestInterceptor measured(RSocket requester) {
            WeightedStatsRequestInterceptor stats = new WeightedStatsRequestInterceptor();
            measuring.put(requester, stats);
            return stats;
        }

        static @Nullable WeightedStats stats(RSocket chosen) {
            return chosen instanceof Server server ? server.stats : null;
        }

        void dispose() {
            disposed = true;
            Disposable d = discovery;
            if (d != null) {
                d.dispose();
            }
            fed.tryEmitComplete();
            // The pool has let go of its servers, which wait for their calls: they close now.
            servers.values().forEach(Server::close);
        }

        /**
         * One connection the balancer's pool made, and the calls on it. The pool disposes the
         * connection of a server it lets go of (one the list no longer names) at once, which
         * would end the calls in flight on it with {@code RPC_S_COMM_FAILURE}; disposing a
         * {@code Server} retires it instead, and it closes when its last call ends. Its state is
         * one word: the calls in flight, and a bit once retired; once closed it takes no more calls.
         */
        final class Server extends RSocketProxy {

            private static final AtomicIntegerFieldUpdater<Server> STATE =
                    AtomicIntegerFieldUpdater.newUpdater(Server.class, "state");
            /** Bit: the pool has let go of this server; it closes when its last call ends. */
            private static final int RETIRED = 1 << 30;
            /** The state once closed. */
            private static final int CLOSED = -1;

            private volatile int state;
            final @Nullable WeightedStats stats;

            Server(RSocket requester, @Nullable WeightedStats stats) {
                super(requester);
                this.stats = stats;
            }

            /** A probe is answered here, and tells this connection its pool's server; anything else goes on. */
            @Override
            public Mono<Void> metadataPush(Payload payload) {
                RSocket pooled = probes.remove(payload);
                if (pooled == null) {
                    return source.metadataPush(payload);
                }
                payload.release();
                servers.put(pooled, this);
                return Mono.empty();
            }

            boolean callStarted() {
                for (;;) {
                    int s = state;
                    if (s == CLOSED) {
                        return false;
                    }
                    if (STATE.compareAndSet(this, s, s + 1)) {
                        return true;
                    }
                }
            }

            void callEnded() {
                for (;;) {
                    int s = state;
                    if (s == CLOSED) {
                        return;
                    }
                    if (s - 1 == RETIRED) {
                        if (STATE.compareAndSet(this, s, CLOSED)) {
                            closeAfterThisCall();
                            return;
                        }
                    }
                    else if (STATE.compareAndSet(this, s, s - 1)) {
                        return;
                    }
                }
            }

            /** The pool lets go of this server: it closes once its calls have ended. */
            @Override
            public void dispose() {
                retire();
            }

            private void retire() {
                for (;;) {
                    int s = state;
                    if (s == CLOSED || (s & RETIRED) != 0) {
                        return;
                    }
                    if (s == 0) {
                        if (STATE.compareAndSet(this, 0, CLOSED)) {
                            source.dispose();
                            return;
                        }
                    }
                    else if (STATE.compareAndSet(this, s, s | RETIRED)) {
                        return;
                    }
                }
            }

            void close() {
                STATE.set(this, CLOSED);
                source.dispose();
            }

            /**
             * The last call ended, perhaps by an abortive cancel whose CANCEL frame is queued
             * just after this: the connection closes once that has gone.
             */
            private void closeAfterThisCall() {
                Schedulers.parallel().schedule(source::dispose);
            }

            @Override
            public boolean isDisposed() {
                return state == CLOSED || source.isDisposed();
            }
        }
    }

    /** A reply's bytes as the client takes them: a copy of its own, or RSocket's buffer for the listener's call only. */
    ByteBuffer reply(Payload payload) {
        return keepsReplies ? ByteBuffer.wrap(ByteBufUtil.getBytes(payload.data())) : payload.getData();
    }

    /** A request as RSocket sends it: Parley's metadata, and the data in direct memory. */
    Payload toPayload(RpcRequest request) {
        long timeoutMillis = request.timeout() == null ? 0 : Math.max(1, request.timeout().toMillis());
        ByteBuf metadata = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, routes.utf8(request.method()),
                request.method(), request.callId(), timeoutMillis, request.metadata(), request.credentials());
        ByteBuf data;
        try {
            data = Payloads.direct(request.payload());
        }
        catch (Throwable error) {
            metadata.release();
            throw error;
        }
        return ByteBufPayload.create(data, metadata);
    }

    static void sendCancel(RSocket rsocket, long callId, boolean deadline) {
        ByteBuf metadata = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, callId, deadline);
        rsocket.metadataPush(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, metadata))
                .subscribe(null, error -> log.debug("Graceful cancel of call {} not sent: {}", callId, error.toString()));
    }

    @Override
    public void dispose() {
        if (DISPOSING.getAndSet(this, 1) != 0) {
            return;
        }
        disposed = true;
        // A client whose connect failed has terminated itself; disposing it again would report
        // its "Disposed" error as dropped.
        if (!client.isDisposed()) {
            client.dispose();
        }
        // After the pool, which would otherwise see its servers close before it lets go of them.
        Balancer b = balancer;
        if (b != null) {
            b.dispose();
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    @Override
    public String toString() {
        return "RSocketConnection{" + target + "}";
    }
}
