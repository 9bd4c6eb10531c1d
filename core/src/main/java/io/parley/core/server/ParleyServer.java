package io.parley.core.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.CborCodec;
import io.parley.core.codec.Codec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ConnectionInfo;
import io.parley.core.transport.ServerSession;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportServer;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * A running Parley server: the methods it serves, bound to a transport.
 *
 * <pre>{@code
 * ParleyServer server = ParleyServer.builder()
 *         .method(ServerMethod.mono("echo", String.class, Mono::just))
 *         .method(ServerMethod.async("AsyncFunc", Long.class, AsyncFunc::handle).blocking())
 *         .transport(InProcessTransport.server("demo"))
 *         .bindNow();
 * ...
 * server.dispose();
 * }</pre>
 *
 * <p>A call for a method the server does not have ends with {@code RPC_S_PROCNUM_OUT_OF_RANGE},
 * a request its codec cannot decode with {@code RPC_X_BAD_STUB_DATA}; neither disturbs the other
 * calls of the connection.
 */
public final class ParleyServer implements Disposable {

    /** The default limit on a request's encoded size: 4 MiB. */
    public static final int DEFAULT_MAX_INBOUND_PAYLOAD_SIZE = 4 * 1024 * 1024;

    /** The default bound on a call's wait for a place under {@link Builder#maxCallsInFlight}: one second. */
    public static final Duration DEFAULT_MAX_QUEUE_WAIT = Duration.ofSeconds(1);

    /** The default {@linkplain Builder#cancelGrace cancel grace}: 30 seconds. */
    public static final Duration DEFAULT_CANCEL_GRACE = Duration.ofSeconds(30);

    /** The default limit on a call's metadata, in bytes of names and values: 8 KiB. */
    public static final int DEFAULT_MAX_METADATA_SIZE = 8 * 1024;

    /**
     * How long a shutdown waits, once no call is in flight, before it closes the connections: the
     * last replies and faults are on their way out when their calls end, and go out first.
     */
    private static final Duration LAST_WORDS_TIME = Duration.ofMillis(100);

    private final Map<String, ServerMethod<?, ?>> methods;
    private final Map<String, Codec> codecs;
    private final int maxCallsPerConnection;
    private final int maxInboundPayloadSize;
    private final int maxMetadataSize;
    private final List<ServerInterceptor> interceptors;
    private final @Nullable Authenticator authenticator;
    private final AccessRule access;
    /** Monotonic nanoseconds for the age of early graceful-cancel notices; a test sets its own. */
    private final LongSupplier nanoClock;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final LongAdder droppedReplies = new LongAdder();
    /** Emits once no call is in flight, after a shutdown has begun. */
    private final Sinks.Empty<Void> drained = Sinks.empty();
    /** Emits once the server is disposed. */
    private final Sinks.Empty<Void> terminated = Sinks.empty();
    /** Set once a shutdown has begun: from then on new calls are refused. */
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private volatile @Nullable TransportServer transportServer;
    private volatile boolean disposed;
    /** The server-wide limit on calls in flight; {@code null} without one. */
    private final @Nullable Admission admission;
    private final @Nullable Duration cancelGrace;
    private final @Nullable CancelCostListener cancelCosts;
    /** Calls whose client left while their handler, which only it can stop, runs on. */
    private final Set<ServerCall<?>> lingering = ConcurrentHashMap.newKeySet();
    private final AtomicLong inspectorIds = new AtomicLong();

    private ParleyServer(Builder builder) {
        this.methods = Collections.unmodifiableMap(new LinkedHashMap<>(builder.methods));
        Map<String, Codec> codecs = new LinkedHashMap<>(builder.codecs);
        if (codecs.isEmpty()) {
            Codec json = JsonCodec.create();
            Codec cbor = CborCodec.create();
            codecs.put(json.mimeType(), json);
            codecs.put(cbor.mimeType(), cbor);
        }
        this.codecs = Collections.unmodifiableMap(codecs);
        this.maxCallsPerConnection = builder.maxCallsPerConnection;
        this.maxInboundPayloadSize = builder.maxInboundPayloadSize;
        this.nanoClock = builder.nanoClock;
        this.maxMetadataSize = builder.maxMetadataSize;
        this.interceptors = List.copyOf(builder.interceptors);
        this.authenticator = builder.authenticator;
        this.access = builder.access;
        this.admission = builder.maxCallsInFlight == Integer.MAX_VALUE ? null
                : new Admission(builder.maxCallsInFlight, builder.maxQueuedCalls, builder.maxQueueWait);
        this.cancelGrace = builder.cancelGrace;
        this.cancelCosts = builder.cancelCosts;
    }

    /** Returns a builder for a server. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where clients reach this server, as the transport reports it (the bound port for port 0). */
    public String address() {
        TransportServer bound = transportServer;
        return bound != null ? bound.address() : "unbound";
    }

    /** The number of calls in flight on all connections: dispatched, not ended and not abandoned. */
    public int activeCalls() {
        int total = 0;
        for (Session session : sessions) {
            total += session.activeCalls();
        }
        return total;
    }

    /**
     * The number of replies and stream items dropped because the client had cancelled abortively
     * (or lost its connection) before the handler produced them.
     */
    public long droppedReplies() {
        return droppedReplies.sum();
    }

    /**
     * The calls in flight, across connections, as they are now: those running, those queued for
     * a place under {@link Builder#maxCallsInFlight}, and those whose client left while their
     * handler runs on. Each has the server's id for {@link #abort(long, int)}. Made on demand,
     * for operators: it walks every connection.
     *
     * @return the calls, oldest first
     */
    public List<CallSnapshot> calls() {
        List<ServerCall<?>> found = new ArrayList<>();
        for (Session session : sessions) {
            session.forEachCall(found::add);
        }
        found.addAll(lingering);
        List<CallSnapshot> snapshots = new ArrayList<>(found.size());
        Set<ServerCall<?>> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (ServerCall<?> call : found) {
            if (seen.add(call)) {
                snapshots.add(call.snapshot());
            }
        }
        snapshots.sort(java.util.Comparator.comparing(CallSnapshot::age).reversed());
        return snapshots;
    }

    /**
     * Aborts one call in flight with a fault code, from outside its handler: MS-RPC's
     * {@code RpcAsyncAbortCall}, by an operator. The client receives the code as the call's fault;
     * the handler is told as of a cancel ({@code cancelled()} fires, a reactive handler's
     * subscription is cancelled) and finds the call ended ({@code RPC_S_INVALID_ASYNC_HANDLE}
     * from its complete or abort).
     *
     * @param id the server's id of the call, from {@link #calls()}
     * @param faultCode the fault code the client receives, nonzero
     * @return {@code RPC_S_OK} if this aborted the call; {@code RPC_S_INVALID_ARG} for a zero code;
     *         {@code RPC_S_INVALID_ASYNC_HANDLE} if no call in flight has that id (it ended, or
     *         was never listed)
     */
    public RpcStatus abort(long id, int faultCode) {
        if (faultCode == 0) {
            return RpcStatus.INVALID_ARG;
        }
        ServerCall<?> call = listed(id);
        if (call == null) {
            return RpcStatus.INVALID_ASYNC_HANDLE;
        }
        RpcFault fault = new RpcFault(faultCode, "the server's operator aborted the call");
        return call.endFromServer(fault) ? RpcStatus.OK : RpcStatus.INVALID_ASYNC_HANDLE;
    }

    private @Nullable ServerCall<?> listed(long id) {
        if (id <= 0) {
            return null;
        }
        ServerCall<?>[] found = new ServerCall<?>[1];
        for (Session session : sessions) {
            session.forEachCall(call -> {
                if (call.listedId() == id) {
                    found[0] = call;
                }
            });
        }
        if (found[0] == null) {
            for (ServerCall<?> call : lingering) {
                if (call.listedId() == id) {
                    found[0] = call;
                }
            }
        }
        return found[0];
    }

    /**
     * How many more calls the server takes at once before it queues them: its
     * {@link Builder#maxCallsInFlight limit} less the calls holding a place; {@code Integer.MAX_VALUE}
     * without a limit.
     */
    public int availableCalls() {
        Admission a = admission;
        return a != null ? a.available() : Integer.MAX_VALUE;
    }

    /** The calls waiting for a place under the server's {@link Builder#maxCallsInFlight limit}. */
    public int queuedCalls() {
        Admission a = admission;
        return a != null ? a.queued() : 0;
    }

    /** The methods this server serves, by name. */
    public Map<String, ServerMethod<?, ?>> methods() {
        return methods;
    }

    /** Whether the server is bound and takes new calls: not shutting down, not disposed. */
    public boolean isAccepting() {
        return transportServer != null && !shuttingDown.get() && !disposed;
    }

    /** Whether {@link #shutdown(Duration)} has begun, or the server is disposed. */
    public boolean isShuttingDown() {
        return shuttingDown.get() || disposed;
    }

    /**
     * Shuts the server down gracefully. At once, new calls are refused with
     * {@code RPC_S_SERVER_UNAVAILABLE} ("the server is shutting down"), on open connections and
     * new ones alike. Calls in flight are given up to {@code grace} to end; those still running
     * then end with {@code RPC_S_SERVER_UNAVAILABLE}: their clients receive the fault; their
     * handlers see {@code cancelled()} fire and {@code testCancel()} answer
     * {@code RPC_S_INVALID_BINDING} (the call has ended), and a {@code Mono} handler's subscription
     * is cancelled. Then the server is {@linkplain #dispose() disposed}.
     *
     * @param grace how long calls in flight may take to end; zero aborts them at once
     * @return completes once the server is disposed; subscribe to start the shutdown. The
     *         shutdown, once started, runs to its end even if the subscription is cancelled
     */
    public Mono<Void> shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace: " + grace + " (expected: zero or more)");
        }
        return Mono.defer(() -> {
            if (shuttingDown.compareAndSet(false, true)) {
                if (activeCalls() == 0) {
                    drained.tryEmitEmpty();
                }
                drained.asMono()
                        .timeout(grace, Mono.fromRunnable(this::abortCallsInFlight), Schedulers.parallel())
                        // The last replies and faults go out before the connections close under them.
                        .then(Mono.delay(LAST_WORDS_TIME, Schedulers.parallel()))
                        .doFinally(signal -> dispose())
                        .subscribe();
            }
            return terminated.asMono();
        });
    }

    private void abortCallsInFlight() {
        RpcFault fault = new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the server shut down before the call ended");
        for (Session session : sessions) {
            session.abortAll(fault);
        }
    }

    /** Stops accepting connections and closes the open ones; their calls are cancelled. */
    @Override
    public void dispose() {
        disposed = true;
        TransportServer bound = transportServer;
        if (bound != null) {
            bound.dispose();
        }
        for (Session session : sessions) {
            session.close();
        }
        terminated.tryEmitEmpty();
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    /** Completes when the transport has stopped. */
    public Mono<Void> onDispose() {
        TransportServer bound = transportServer;
        return bound != null ? bound.onClose() : Mono.empty();
    }

    @Override
    public String toString() {
        return "ParleyServer{" + address() + ", methods=" + methods.keySet() + "}";
    }

    @Nullable ServerMethod<?, ?> method(String name) {
        return methods.get(name);
    }

    int maxCallsPerConnection() {
        return maxCallsPerConnection;
    }

    int maxInboundPayloadSize() {
        return maxInboundPayloadSize;
    }

    void droppedAfterCancel(ServerCall<?> call) {
        droppedReplies.increment();
        CancelCostListener listener = cancelCosts;
        if (listener != null) {
            try {
                listener.dropped(call);
            }
            catch (RuntimeException e) {
                reactor.util.Loggers.getLogger(ParleyServer.class).warn("A cancel cost listener failed", e);
            }
        }
    }

    @Nullable Admission admission() {
        return admission;
    }

    @Nullable Duration cancelGrace() {
        return cancelGrace;
    }

    @Nullable CancelCostListener cancelCosts() {
        return cancelCosts;
    }

    long nextInspectorId() {
        return inspectorIds.incrementAndGet();
    }

    /** A call whose client left runs on in its handler: the inspector still lists it. */
    void linger(ServerCall<?> call) {
        lingering.add(call);
        // Ended or stopped meanwhile: its end, or its handler's stop, may have looked before the add.
        if (call.isDecided() || call.isHandlerStopped()) {
            lingering.remove(call);
        }
    }

    void unlinger(ServerCall<?> call) {
        lingering.remove(call);
    }

    int maxMetadataSize() {
        return maxMetadataSize;
    }

    List<ServerInterceptor> interceptors() {
        return interceptors;
    }

    @Nullable Authenticator authenticator() {
        return authenticator;
    }

    /** The rule of a method: its own, else the server's. */
    AccessRule access(ServerMethod<?, ?> method) {
        AccessRule own = method.accessRule();
        return own != null ? own : access;
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** A call left the books; during a shutdown, the last one lets it finish early. */
    void callEnded() {
        if (shuttingDown.get() && activeCalls() == 0) {
            drained.tryEmitEmpty();
        }
    }

    void sessionClosed(Session session) {
        sessions.remove(session);
    }

    private Mono<ParleyServer> bind(ServerTransport transport) {
        return transport.bind(new Acceptor()).map(bound -> {
            transportServer = bound;
            return this;
        });
    }

    /** What the transport sees of the server, kept off its public face. */
    private final class Acceptor implements CallAcceptor {

        @Override
        public int maxInboundPayloadSize() {
            return maxInboundPayloadSize;
        }

        @Override
        public int availableCalls() {
            return ParleyServer.this.availableCalls();
        }

        @Override
        public ServerSession openSession(ConnectionInfo connection) {
            String dataMimeType = connection.dataMimeType();
            if (isShuttingDown()) {
                throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the server is shutting down");
            }
            Codec codec = codecs.get(dataMimeType);
            if (codec == null) {
                throw new RpcFault(RpcStatus.PROTOCOL_ERROR,
                        "the server has no codec for " + dataMimeType + " (it speaks " + codecs.keySet() + ")");
            }
            Session session = new Session(ParleyServer.this, codec, connection);
            sessions.add(session);
            return session;
        }
    }

    /**
     * Builds a {@link ParleyServer}. Reached through {@link ParleyServer#builder()}; not thread-safe.
     */
    public static final class Builder {

        private final Map<String, ServerMethod<?, ?>> methods = new LinkedHashMap<>();
        private final Map<String, Codec> codecs = new LinkedHashMap<>();
        private int maxCallsPerConnection = Integer.MAX_VALUE;
        private int maxInboundPayloadSize = DEFAULT_MAX_INBOUND_PAYLOAD_SIZE;
        private LongSupplier nanoClock = System::nanoTime;
        private @Nullable ServerTransport transport;
        private int maxMetadataSize = DEFAULT_MAX_METADATA_SIZE;
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private @Nullable Authenticator authenticator;
        private AccessRule access = AccessRule.permitAll();
        private int maxCallsInFlight = Integer.MAX_VALUE;
        private int maxQueuedCalls;
        private Duration maxQueueWait = DEFAULT_MAX_QUEUE_WAIT;
        private @Nullable Duration cancelGrace = DEFAULT_CANCEL_GRACE;
        private @Nullable CancelCostListener cancelCosts;

        Builder() {
        }

        /**
         * Limits the calls in flight on the whole server, across its connections, with a queue
         * for those past it. A call that finds every place taken waits in the queue, oldest first,
         * until a place frees, its client leaves, or it has waited {@code maxWait}
         * ({@code RPC_S_SERVER_TOO_BUSY}); one that finds the queue full ends at once with
         * {@code RPC_S_SERVER_TOO_BUSY}, so that the server stays responsive under overload and
         * the client can go elsewhere. A place is given back when its call ends or its client
         * leaves. Applies after {@link #maxCallsPerConnection}. No limit by default.
         *
         * @param max the most calls in flight, positive
         * @param queue the most calls waiting for a place, zero or more
         * @param maxWait how long a call may wait for a place, positive
         * @return this builder
         */
        public Builder maxCallsInFlight(int max, int queue, Duration maxWait) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxCallsInFlight: " + max + " (expected: > 0)");
            }
            if (queue < 0) {
                throw new IllegalArgumentException("queue: " + queue + " (expected: >= 0)");
            }
            Objects.requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative() || maxWait.isZero()) {
                throw new IllegalArgumentException("maxWait: " + maxWait + " (expected: > 0)");
            }
            this.maxCallsInFlight = max;
            this.maxQueuedCalls = queue;
            this.maxQueueWait = maxWait;
            return this;
        }

        /**
         * Limits the calls in flight on the whole server, as {@link #maxCallsInFlight(int, int, Duration)},
         * with a queue as long as {@code max} whose calls wait at most one second.
         *
         * @param max the most calls in flight, positive
         * @return this builder
         */
        public Builder maxCallsInFlight(int max) {
            return maxCallsInFlight(max, max, DEFAULT_MAX_QUEUE_WAIT);
        }

        /**
         * How long a handler may run on after its client cancelled the call (abortively,
         * gracefully, by its deadline, or by losing its connection) before the server ends the
         * call itself: a client still waiting receives {@code RPC_S_CALL_CANCELLED}, the handler's
         * complete or abort then answers {@code RPC_S_INVALID_ASYNC_HANDLE}, a reactive handler's
         * subscription is cancelled, and the end is counted ({@link CancelCostListener.Ending#SERVER}).
         * A reactive handler whose client abandons the call is stopped at once by the cancel of its
         * subscription, so the grace matters for graceful cancels and for handlers in the seed's
         * style. 30 seconds by default; {@code null} for none.
         *
         * @param grace the grace, positive; or {@code null}
         * @return this builder
         */
        public Builder cancelGrace(@Nullable Duration grace) {
            if (grace != null && (grace.isNegative() || grace.isZero())) {
                throw new IllegalArgumentException("cancelGrace: " + grace + " (expected: > 0, or null for none)");
            }
            this.cancelGrace = grace;
            return this;
        }

        /**
         * Sets what hears the cost of each cancel: how long handlers run on after their client
         * cancelled, who ended them, and what they produced that was dropped.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder cancelCosts(CancelCostListener listener) {
            this.cancelCosts = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Adds an interceptor, after those added before: it runs around every call, once the
         * call's credentials are checked, before its handler.
         *
         * @param interceptor the interceptor
         * @return this builder
         */
        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Sets what checks the credentials clients send, for their connections and their calls.
         * Without one, credentials are not read and no call has a principal.
         *
         * @param authenticator the authenticator
         * @return this builder
         */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Sets who may call the server's methods, unless a method has its own rule
         * ({@link ServerMethod#access}). {@link AccessRule#permitAll()} by default.
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder access(AccessRule rule) {
            this.access = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * Limits a call's metadata, in bytes of names and values
         * ({@link io.parley.core.CallMetadata#encodedSize()}); a call over it ends with
         * {@code RPC_S_SERVER_OUT_OF_MEMORY} before anything sees it, and the connection goes on
         * serving. 8 KiB by default.
         *
         * @param bytes the limit, positive
         * @return this builder
         */
        public Builder maxMetadataSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxMetadataSize: " + bytes + " (expected: > 0)");
            }
            this.maxMetadataSize = bytes;
            return this;
        }

        /**
         * Serves a method.
         *
         * @param method the method
         * @return this builder
         * @throws IllegalArgumentException if a method of the same name is already served
         */
        public Builder method(ServerMethod<?, ?> method) {
            Objects.requireNonNull(method, "method");
            if (methods.putIfAbsent(method.name(), method) != null) {
                throw new IllegalArgumentException("method: '" + method.name() + "' (expected: a name not yet served)");
            }
            return this;
        }

        /**
         * Serves several methods.
         *
         * @param methods the methods
         * @return this builder
         * @throws IllegalArgumentException if two methods share a name
         */
        public Builder methods(Iterable<? extends ServerMethod<?, ?>> methods) {
            Objects.requireNonNull(methods, "methods");
            for (ServerMethod<?, ?> method : methods) {
                method(method);
            }
            return this;
        }

        /**
         * Adds a codec: a connection whose client announces its MIME type is served with it.
         * Without any, the server speaks JSON ({@link JsonCodec}) and CBOR ({@link CborCodec});
         * with some, exactly those.
         *
         * @param codec the codec
         * @return this builder
         * @throws IllegalArgumentException if a codec of the same MIME type was added
         */
        public Builder codec(Codec codec) {
            Objects.requireNonNull(codec, "codec");
            if (codecs.putIfAbsent(codec.mimeType(), codec) != null) {
                throw new IllegalArgumentException("codec: " + codec.mimeType() + " (expected: one codec per MIME type)");
            }
            return this;
        }

        /**
         * Limits the calls in flight on one connection; one call past it ends with
         * {@code RPC_S_SERVER_TOO_BUSY} and the connection goes on serving. No limit by default.
         *
         * @param max the most calls in flight per connection
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is not positive
         */
        public Builder maxCallsPerConnection(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxCallsPerConnection: " + max + " (expected: > 0)");
            }
            this.maxCallsPerConnection = max;
            return this;
        }

        /**
         * Limits the size of a request's encoded payload; a larger request ends with
         * {@code RPC_S_SERVER_OUT_OF_MEMORY} without reaching its handler, and the connection
         * goes on serving. 4 MiB by default.
         *
         * @param bytes the largest request accepted, in bytes
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder maxInboundPayloadSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxInboundPayloadSize: " + bytes + " (expected: > 0)");
            }
            this.maxInboundPayloadSize = bytes;
            return this;
        }

        /** Replaces {@code System.nanoTime()} where the server measures age, for tests that move time themselves. */
        Builder nanoClock(LongSupplier nanoClock) {
            this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Sets the transport to serve on.
         *
         * @param transport the transport
         * @return this builder
         */
        public Builder transport(ServerTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Binds the server to its transport.
         *
         * @return the running server, once it accepts connections
         * @throws IllegalStateException if no transport was set
         */
        public Mono<ParleyServer> bind() {
            ServerTransport t = transport;
            if (t == null) {
                throw new IllegalStateException("transport: none set (expected: a ServerTransport, e.g. InProcessTransport.server(name))");
            }
            if (methods.isEmpty()) {
                throw new IllegalStateException("methods: none (expected: at least one ServerMethod)");
            }
            return new ParleyServer(this).bind(t);
        }

        /**
         * Binds the server and waits until it accepts connections, at most 30 seconds. For
         * {@code main} methods and tests; reactive code uses {@link #bind()}.
         *
         * @return the running server
         */
        public ParleyServer bindNow() {
            ParleyServer server = bind().block(Duration.ofSeconds(30));
            if (server == null) {
                throw new IllegalStateException("the transport completed without binding");
            }
            return server;
        }
    }
}
