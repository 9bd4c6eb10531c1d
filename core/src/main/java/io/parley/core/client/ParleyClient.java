package io.parley.core.client;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallObserver;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.Codec;
import io.parley.core.codec.CodecException;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.RpcRequest;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Makes calls to a Parley server.
 *
 * <pre>{@code
 * ParleyClient client = ParleyClient.builder()
 *         .transport(InProcessTransport.client("demo"))
 *         .build();
 *
 * Mono<Integer> reply = client.call("AsyncFunc", 2000L, Integer.class);   // everyday: a Mono
 * Disposable d = reply.subscribe(System.out::println);
 * d.dispose();                                                              // abortive cancel
 *
 * ClientCall<Integer> call = client.start("AsyncFunc", 2000L, Integer.class); // MS-RPC style
 * call.cancel(CancelMode.GRACEFUL);
 * }</pre>
 *
 * <p>A client connects lazily, on its first call, and connects again for the next call when its
 * connection has closed. A call that fails ends with an {@link RpcFault}: the server's fault
 * code unchanged, {@code RPC_S_SERVER_UNAVAILABLE} when no server could be reached,
 * {@code RPC_S_COMM_FAILURE} when the connection ended under the call,
 * {@code RPC_X_BAD_STUB_DATA} when a request or reply could not be encoded or decoded.
 *
 * <p>Thread-safe; one client serves any number of concurrent calls.
 */
public final class ParleyClient implements Disposable {

    private final ClientTransport transport;
    private final Codec codec;
    private final CallOptions defaultOptions;
    private final CallObserver observer;
    private final AtomicLong callIds = new AtomicLong();
    private final ConnectionHolder connection;
    private volatile @Nullable ClientConnection current;
    private volatile boolean disposed;

    private ParleyClient(ClientTransport transport, Codec codec, CallOptions defaultOptions, CallObserver observer) {
        this.transport = transport;
        this.codec = codec;
        this.defaultOptions = defaultOptions;
        this.observer = observer;
        this.connection = new ConnectionHolder(this::connect);
    }

    /** Returns a builder for a client. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Calls a method with the client's default options.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param replyType the type to decode the reply to; {@code Void.class} for none
     * @param <R> the reply type
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> call(String method, @Nullable Object request, Class<R> replyType) {
        return call(method, request, replyType, defaultOptions);
    }

    /**
     * Calls a method.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param replyType the type to decode the reply to; {@code Void.class} for none
     * @param options the call's options
     * @param <R> the reply type
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> call(String method, @Nullable Object request, Class<R> replyType, CallOptions options) {
        return call(method, request, (Type) replyType, options);
    }

    /**
     * Calls a method whose reply is of a generic type, such as {@code List<Order>}, with the
     * client's default options.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param replyType the type to decode the reply to
     * @param <R> the reply type; the caller vouches that it matches {@code replyType}
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> call(String method, @Nullable Object request, Type replyType) {
        return call(method, request, replyType, defaultOptions);
    }

    /**
     * Calls a method whose reply is of a generic type, such as {@code List<Order>}.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param replyType the type to decode the reply to
     * @param options the call's options
     * @param <R> the reply type; the caller vouches that it matches {@code replyType}
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> call(String method, @Nullable Object request, Type replyType, CallOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(replyType, "replyType");
        Objects.requireNonNull(options, "options");
        return Mono.defer(() -> {
            RpcRequest rpcRequest = newRequest(method, request, options);
            ClientConnection.ReplyReader<R> reader = reader(replyType);
            ClientConnection live = connection.live();
            if (live != null && options.gracefulTimeout() == null && options.abortiveTimeout() == null) {
                // Connected, and no timers: the transport's call, its errors made faults, is the whole call.
                Mono<R> reply = new FaultMapping<>(live.call(rpcRequest, reader));
                return observer == CallObserver.NONE ? reply : observed(reply, observer.start(method));
            }
            Scheduler timer = Schedulers.parallel();
            long madeAt = timer.now(TimeUnit.NANOSECONDS);
            // The operators below may drop a cancel that races with their own subscriptions: the
            // relay takes it from the outermost one straight to the transport's.
            CancelRelay relay = new CancelRelay();
            Mono<R> reply = connection.flatMap(c -> exchange(c, rpcRequest, reader, options, timer, madeAt, relay));
            Duration abortive = options.abortiveTimeout();
            if (abortive != null) {
                reply = reply.timeout(abortive, timer).onErrorMap(TimeoutException.class, e -> {
                    relay.cancel();
                    return new RpcFault(RpcStatus.TIMEOUT, "no reply within " + abortive + "; the call was cancelled");
                });
            }
            reply = reply.doOnCancel(relay);
            return observer == CallObserver.NONE ? reply : observed(reply, observer.start(method));
        });
    }

    /** Tells the observer how the call ended: its reply, its fault, or the caller's cancel. */
    private static <R> Mono<R> observed(Mono<R> reply, CallObserver.Scope scope) {
        AtomicBoolean ended = new AtomicBoolean();
        return reply
                .doOnEach(signal -> {
                    if ((signal.isOnComplete() || signal.isOnError()) && ended.compareAndSet(false, true)) {
                        Throwable error = signal.getThrowable();
                        scope.end(error == null ? RpcStatus.OK : asFault(error).status());
                    }
                })
                .doOnCancel(() -> {
                    if (ended.compareAndSet(false, true)) {
                        scope.end(RpcStatus.CALL_CANCELLED);
                    }
                });
    }

    private <R> Mono<R> exchange(ClientConnection c, RpcRequest request, ClientConnection.ReplyReader<R> reader,
            CallOptions options, Scheduler timer, long madeAt, CancelRelay relay) {
        Mono<R> reply = new FaultMapping<>(c.call(request, reader).doOnSubscribe(relay));
        Duration graceful = options.gracefulTimeout();
        if (graceful == null) {
            return reply;
        }
        return Mono.defer(() -> {
            // Scheduled once the call is subscribed, so the transport knows the call the notice names.
            Disposable.Swap notice = Disposables.swap();
            return reply
                    .doOnSubscribe(subscription -> {
                        long delay = graceful.toNanos() - (timer.now(TimeUnit.NANOSECONDS) - madeAt);
                        notice.update(timer.schedule(() -> c.cancelGracefully(request.callId()),
                                Math.max(0, delay), TimeUnit.NANOSECONDS));
                    })
                    .doFinally(signal -> notice.dispose());
        });
    }

    /**
     * Makes a call and returns its handle, in the MS-RPC style. The request goes out at once.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param replyType the type to decode the reply to; {@code Void.class} for none
     * @param <R> the reply type
     * @return the call, waiting for completion
     * @throws RpcFault with {@code RPC_X_BAD_STUB_DATA} if the request cannot be encoded: the call
     *         never starts (the seed's C, "on exception go to End")
     */
    public <R> ClientCall<R> start(String method, @Nullable Object request, Class<R> replyType) {
        return start(method, request, replyType, defaultOptions);
    }

    /**
     * Makes a call with options and returns its handle, in the MS-RPC style.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param replyType the type to decode the reply to; {@code Void.class} for none
     * @param options the call's options
     * @param <R> the reply type
     * @return the call, waiting for completion
     * @throws RpcFault with {@code RPC_X_BAD_STUB_DATA} if the request cannot be encoded
     */
    public <R> ClientCall<R> start(String method, @Nullable Object request, Class<R> replyType, CallOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(replyType, "replyType");
        Objects.requireNonNull(options, "options");
        RpcRequest rpcRequest = newRequest(method, request, options);
        DefaultClientCall<R> call = new DefaultClientCall<>(this, rpcRequest, reader(replyType), options, observer.start(method));
        call.start();
        return call;
    }

    /** Closes the connection; calls in flight end with {@code RPC_S_COMM_FAILURE}, later ones with {@code RPC_S_SERVER_UNAVAILABLE}. */
    @Override
    public void dispose() {
        disposed = true;
        ClientConnection c = current;
        if (c != null) {
            c.dispose();
        }
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    @Override
    public String toString() {
        return "ParleyClient{" + transport + ", " + codec.mimeType() + "}";
    }

    Mono<ClientConnection> connection() {
        return connection;
    }

    private Mono<ClientConnection> connect() {
        if (disposed) {
            return Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the client is disposed"));
        }
        return Mono.defer(() -> transport.connect(codec.mimeType()))
                .onErrorMap(e -> !(e instanceof RpcFault),
                        e -> new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "could not connect: " + e, e))
                .doOnNext(c -> {
                    current = c;
                    if (disposed) {
                        c.dispose();
                    }
                });
    }

    private RpcRequest newRequest(String method, @Nullable Object request, CallOptions options) {
        try {
            return new RpcRequest(method, callIds.incrementAndGet(), options.serverTimeout(), codec.encode(request));
        }
        catch (CodecException e) {
            throw new RpcFault(RpcStatus.BAD_STUB_DATA.value(),
                    "the request of '" + method + "' could not be encoded: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private <R> ClientConnection.ReplyReader<R> reader(Type replyType) {
        return bytes -> {
            try {
                return (R) codec.decode(bytes, replyType);
            }
            catch (CodecException e) {
                throw new RpcFault(RpcStatus.BAD_STUB_DATA, "the reply could not be decoded: " + e.getMessage(), e);
            }
        };
    }

    static RpcFault asFault(Throwable error) {
        if (error instanceof RpcFault) {
            return (RpcFault) error;
        }
        return new RpcFault(RpcStatus.COMM_FAILURE, "the call failed in transport: " + error, error);
    }

    /**
     * Builds a {@link ParleyClient}. Reached through {@link ParleyClient#builder()}; not thread-safe.
     */
    public static final class Builder {

        private @Nullable ClientTransport transport;
        private Codec codec = JsonCodec.create();
        private CallOptions defaultOptions = CallOptions.DEFAULT;
        private CallObserver observer = CallObserver.NONE;

        Builder() {
        }

        /**
         * Sets what watches the client's calls start and end, for metrics or tracing. None by default.
         *
         * @param observer the observer
         * @return this builder
         */
        public Builder observer(CallObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /**
         * Sets the transport that connects to the server.
         *
         * @param transport the transport
         * @return this builder
         */
        public Builder transport(ClientTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Sets the codec for requests and replies; JSON by default. The server must have a codec
         * of the same MIME type.
         *
         * @param codec the codec
         * @return this builder
         */
        public Builder codec(Codec codec) {
            this.codec = Objects.requireNonNull(codec, "codec");
            return this;
        }

        /**
         * Sets the options of calls made without options of their own.
         *
         * @param options the options
         * @return this builder
         */
        public Builder defaultOptions(CallOptions options) {
            this.defaultOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Builds the client. It connects on its first call.
         *
         * @return the client
         * @throws IllegalStateException if no transport was set
         */
        public ParleyClient build() {
            ClientTransport t = transport;
            if (t == null) {
                throw new IllegalStateException(
                        "transport: none set (expected: a ClientTransport, e.g. InProcessTransport.client(name))");
            }
            return new ParleyClient(t, codec, defaultOptions, observer);
        }
    }
}
