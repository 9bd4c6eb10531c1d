package io.parley.core.server;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import java.net.SocketAddress;
import java.security.Principal;

import io.parley.core.CallShape;
import io.parley.core.CancelReason;
import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.Codec;
import io.parley.core.transport.ConnectionInfo;
import io.parley.core.transport.Interaction;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The calls of one connection. Calls are registered from the moment the transport subscribes to
 * them until they end or are abandoned: by the client's call id, so a graceful cancel can find
 * them, or, for a client that gave none, in a set of their own.
 */
final class Session implements ServerSession {

    private static final reactor.util.Logger log = reactor.util.Loggers.getLogger(ParleyServer.class);

    private static final int MAX_EARLY_CANCELS = 1024;
    private static final long EARLY_CANCEL_TTL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ParleyServer server;
    private final Codec codec;
    private final ConcurrentHashMap<Long, ServerCall<?>> calls = new ConcurrentHashMap<>();
    private final Set<ServerCall<?>> anonymous = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    /**
     * Graceful notices for calls not yet seen, by call id, with when they came (the server's
     * nanoTime), oldest first. Guarded by its own monitor: notices are rare, every operation on
     * them is O(1) (amortized, for the expired ones dropped from the head), and nothing waits
     * while holding it.
     */
    private final LinkedHashMap<Long, Early> earlyCancels = new LinkedHashMap<>();
    /** The size of {@link #earlyCancels}, read without its monitor so a call registers without one. */
    private volatile int earlyCancelCount;
    private volatile boolean closed;
    private final ConnectionInfo connection;
    /** The connection's credentials checked, once, when a call first needs them; {@code null} without any. */
    private final @Nullable Mono<Principal> connectionPrincipal;
    /** The principal of the connection's credentials once accepted, so that later calls take it at once. */
    private volatile @Nullable Principal acceptedPrincipal;

    Session(ParleyServer server, Codec codec, ConnectionInfo connection) {
        this.server = server;
        this.codec = codec;
        this.connection = connection;
        Credentials credentials = connection.credentials();
        Authenticator authenticator = server.authenticator();
        this.connectionPrincipal = credentials == null || authenticator == null ? null
                : Mono.defer(() -> authenticator.authenticate(credentials))
                        .<Principal>map(p -> p)
                        .doOnNext(p -> acceptedPrincipal = p)
                        .cache();
    }

    ParleyServer server() {
        return server;
    }

    @Nullable SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /** The principal of the connection's credentials: empty or an error if refused; {@code null} if it sent none. */
    @Nullable Mono<Principal> connectionPrincipal() {
        Principal p = acceptedPrincipal;
        return p != null ? Mono.just(p) : connectionPrincipal;
    }

    Codec codec() {
        return codec;
    }

    int activeCalls() {
        return inFlight.get();
    }

    @Override
    public Flux<ByteBuffer> handle(RpcRequest request, Runnable release) {
        Flux<ByteBuffer> call = accept(request, release);
        if (!(call instanceof ServerCall)) {
            release.run();
            Publisher<ByteBuffer> more = request.more();
            if (more != null) {
                // A refused channel's further requests are not read: the client is told to stop.
                more.subscribe(new CancelAtOnce());
            }
        }
        return call;
    }

    /** The call, or the fault that refuses it before it is dispatched. */
    private Flux<ByteBuffer> accept(RpcRequest request, Runnable release) {
        ServerMethod<?, ?> method = server.method(request.method());
        if (closed) {
            return refuse(method, request, new RpcFault(RpcStatus.COMM_FAILURE, "the connection is closed"));
        }
        if (method == null) {
            return refuse(null, request, new RpcFault(RpcStatus.PROCNUM_OUT_OF_RANGE,
                    "the server has no method '" + request.method() + "'"));
        }
        if (method.shape().interaction() != request.interaction()) {
            return refuse(method, request, new RpcFault(RpcStatus.INVALID_ASYNC_CALL, "method '" + request.method()
                    + "' is " + method.shape().description() + " (" + method.shape().interaction().description()
                    + "); it was called as " + request.interaction().description()));
        }
        if (server.isShuttingDown()) {
            return refuse(method, request, new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the server is shutting down"));
        }
        int metadataSize = request.metadata().encodedSize();
        if (metadataSize > server.maxMetadataSize()) {
            return refuse(method, request, new RpcFault(RpcStatus.SERVER_OUT_OF_MEMORY, "the metadata of '" + request.method()
                    + "' is " + metadataSize + " bytes, over the server's limit of " + server.maxMetadataSize()));
        }
        boolean channel = request.interaction() == Interaction.REQUEST_CHANNEL;
        @Nullable Object decoded;
        try {
            // A channel opened with empty data has no first request.
            decoded = channel && !request.payload().hasRemaining() ? null
                    : decode("the request", request.method(), request.payload(), method.requestType());
        }
        catch (RpcFault fault) {
            return refuse(method, request, fault);
        }
        if (decoded == null && method.requestRequired() && !channel) {
            return refuse(method, request, new RpcFault(RpcStatus.BAD_STUB_DATA,
                    "the request of '" + request.method() + "' is empty"));
        }
        return new ServerCall<>(this, method, request, decoded, release);
    }

    /**
     * What a request's bytes decode to, for a call's request or one of a channel's.
     *
     * @param which "the request", or "a request" of a channel
     * @throws RpcFault {@code RPC_S_SERVER_OUT_OF_MEMORY} over the server's limit,
     *         {@code RPC_X_BAD_STUB_DATA} for bytes the codec cannot decode
     */
    @Nullable Object decode(String which, String method, ByteBuffer bytes, Class<?> type) {
        int size = bytes.remaining();
        int limit = server.maxInboundPayloadSize();
        if (size > limit) {
            throw new RpcFault(RpcStatus.SERVER_OUT_OF_MEMORY, which + " of '" + method + "' is " + size
                    + " bytes, over the server's limit of " + limit);
        }
        try {
            return codec.decode(bytes, type);
        }
        catch (RuntimeException e) {
            throw new RpcFault(RpcStatus.BAD_STUB_DATA, which + " of '" + method + "' could not be decoded: " + e.getMessage());
        }
    }

    /**
     * A call refused before it was dispatched: its interceptors are told it ended, under
     * {@link ServerCallInfo#UNKNOWN_METHOD} for a method the server does not serve, so that
     * clients cannot make names without bound.
     */
    private Flux<ByteBuffer> refuse(@Nullable ServerMethod<?, ?> method, RpcRequest request, RpcFault fault) {
        if (!server.interceptors().isEmpty()) {
            String name = method != null ? method.name() : ServerCallInfo.UNKNOWN_METHOD;
            CallShape shape = method != null ? method.shape() : CallShape.of(request.interaction());
            ended(new RefusedCall(name, shape, request, remoteAddress(), fault.status()), fault.status());
        }
        return Flux.error(fault);
    }

    /** Tells the server's interceptors that a call ended, the last added first. */
    void ended(ServerCallInfo call, RpcStatus status) {
        List<ServerInterceptor> interceptors = server.interceptors();
        for (int i = interceptors.size() - 1; i >= 0; i--) {
            try {
                interceptors.get(i).onEnd(call, status);
            }
            catch (RuntimeException e) {
                log.warn("A server interceptor failed at the end of a call of '{}'", call.method(), e);
            }
        }
    }

    /** Cancels what it subscribes to. */
    private static final class CancelAtOnce implements CoreSubscriber<ByteBuffer> {

        @Override
        public void onSubscribe(Subscription s) {
            s.cancel();
        }

        @Override
        public void onNext(ByteBuffer bytes) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }

    /**
     * Registers a call as its reply is subscribed to.
     *
     * @return {@code null}, or the fault that refuses the call, which the call must end with
     */
    @Nullable RpcFault register(ServerCall<?> call) {
        int limit = server.maxCallsPerConnection();
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            return refused(call, new RpcFault(RpcStatus.SERVER_TOO_BUSY,
                    "the connection has " + limit + " calls in flight, the server's limit"));
        }
        boolean added = call.id() == RpcRequest.NO_CALL_ID ? anonymous.add(call) : calls.putIfAbsent(call.key(), call) == null;
        if (!added) {
            inFlight.decrementAndGet();
            return refused(call, new RpcFault(RpcStatus.PROTOCOL_ERROR,
                    "call id " + call.id() + " is already in flight on this connection"));
        }
        if (closed) {
            // Left on the books: the call's end takes it off once its outcome is recorded, so the
            // interceptors see RPC_S_COMM_FAILURE as the client does.
            return new RpcFault(RpcStatus.COMM_FAILURE, "the connection is closed");
        }
        CancelReason early = takeEarly(call.id());
        if (early != null) {
            call.cancelGracefully(early);
        }
        return null;
    }

    /** A call refused as it registers, never on the books: its interceptors are told now, as they are of the other refusals. */
    private RpcFault refused(ServerCall<?> call, RpcFault fault) {
        if (!server.interceptors().isEmpty()) {
            ended(call, fault.status());
        }
        return fault;
    }

    /** The call ended or was abandoned: the first of the two takes it off the books. */
    void unregister(ServerCall<?> call) {
        boolean removed = call.id() == RpcRequest.NO_CALL_ID ? anonymous.remove(call) : calls.remove(call.key(), call);
        if (removed) {
            inFlight.decrementAndGet();
            Admission admission = server.admission();
            if (admission != null) {
                // Its end or its client's leaving is set before this, so a queued call can no longer take a place.
                int places = call.admission();
                if ((places & ServerCall.ADMITTED) != 0) {
                    admission.release();
                }
                else if ((places & ServerCall.QUEUED) != 0) {
                    admission.leftQueue();
                }
            }
            call.leftTheBooks();
            server.callEnded();
        }
    }

    /** Shutdown: ends every call in flight with the fault. */
    void abortAll(RpcFault fault) {
        forEachCall(call -> call.endFromServer(fault));
    }

    /** Every call on the connection's books: the ones in flight, queued for a place, or not yet dispatched. */
    void forEachCall(Consumer<ServerCall<?>> action) {
        calls.values().forEach(action);
        anonymous.forEach(action);
    }

    /**
     * A notice may arrive before its call: RSocket, for one, sends connection-level frames ahead
     * of stream frames still queued. One for a call not yet seen is kept, up to 10 s and at most
     * 1 024 per connection (docs/wire-protocol.md §5.2), and applied when the call registers; both
     * sides look again after writing, so neither order loses it.
     */
    @Override
    public void cancelGracefully(long callId) {
        notice(callId, CancelReason.GRACEFUL);
    }

    /** The client's graceful bound passed: a graceful cancel whose reason is the deadline. */
    @Override
    public void deadlinePassed(long callId) {
        notice(callId, CancelReason.DEADLINE);
    }

    private void notice(long callId, CancelReason reason) {
        if (callId == RpcRequest.NO_CALL_ID) {
            return;
        }
        ServerCall<?> call = calls.get(callId);
        if (call != null) {
            call.cancelGracefully(reason);
            return;
        }
        rememberEarly(callId, reason);
        call = calls.get(callId);
        CancelReason early;
        if (call != null && (early = takeEarly(callId)) != null) {
            call.cancelGracefully(early);
        }
    }

    /** A notice kept for a call not yet seen: when it came (the server's nanoTime), and why. */
    private record Early(long at, CancelReason reason) {
    }

    /**
     * Keeps a notice, newest last. Notices past their age go first; if the connection still holds
     * its limit of them, the oldest makes room: most are notices that came after their call ended.
     */
    private void rememberEarly(long callId, CancelReason reason) {
        synchronized (earlyCancels) {
            // Read under the monitor, so that the map's order is the order of the times it holds.
            long now = server.nanoTime();
            Iterator<Early> oldestFirst = earlyCancels.values().iterator();
            while (oldestFirst.hasNext() && now - oldestFirst.next().at() > EARLY_CANCEL_TTL_NANOS) {
                oldestFirst.remove();
            }
            // A repeated notice moves to the end, with its new time.
            if (earlyCancels.remove(callId) == null && earlyCancels.size() >= MAX_EARLY_CANCELS) {
                Iterator<Map.Entry<Long, Early>> oldest = earlyCancels.entrySet().iterator();
                oldest.next();
                oldest.remove();
            }
            earlyCancels.put(callId, new Early(now, reason));
            earlyCancelCount = earlyCancels.size();
        }
    }

    /** Takes the notice kept for a call, if any, and says why it came; {@code null} for none, or one older than 10 s. */
    private @Nullable CancelReason takeEarly(long callId) {
        if (earlyCancelCount == 0) {
            return null;
        }
        synchronized (earlyCancels) {
            Early early = earlyCancels.remove(callId);
            earlyCancelCount = earlyCancels.size();
            return early != null && server.nanoTime() - early.at() <= EARLY_CANCEL_TTL_NANOS ? early.reason() : null;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (earlyCancels) {
            earlyCancels.clear();
            earlyCancelCount = 0;
        }
        server.sessionClosed(this);
        forEachCall(ServerCall::connectionClosed);
    }
}
