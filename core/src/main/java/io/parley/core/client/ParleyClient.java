package io.parley.core.client;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

import org.reactivestreams.Publisher;

import io.parley.core.CallShape;
import io.parley.core.Credentials;
import io.parley.core.Deadline;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.Codec;
import io.parley.core.codec.CodecException;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

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
 * {@code RPC_X_BAD_STUB_DATA} when a request or reply could not be encoded or decoded,
 * {@code RPC_S_INVALID_ARG} for a call that cannot be sent as made (a method name over 255 UTF-8
 * bytes, a request over the transport's frame).
 *
 * <p>A call the transport knows never left the client is sent again, whatever its method, and a
 * call {@linkplain CallOptions#withIdempotent(boolean) declared idempotent} also after
 * {@code RPC_S_SERVER_TOO_BUSY}, {@code RPC_S_SERVER_UNAVAILABLE} or {@code RPC_S_COMM_FAILURE}:
 * within its deadline and the {@link RetryPolicy} ({@link RetryPolicy#DEFAULT} unless
 * {@link Builder#retry} or {@link CallOptions#withRetry} says otherwise), through the same
 * connection, which over several servers picks one again. Nothing else is ever sent twice.
 *
 * <p>Every call, made either way, is one {@code ClientCall} state machine over one transport
 * handle; the {@code Mono} is a thin door to it whose cancel reaches the transport directly.
 *
 * <p>Thread-safe; one client serves any number of concurrent calls.
 */
public final class ParleyClient implements Disposable {

    /** The largest reply a client takes unless told otherwise: 16 MiB, an RSocket frame's worth. */
    public static final int DEFAULT_MAX_INBOUND_PAYLOAD_SIZE = 16 * 1024 * 1024;

    private final ClientTransport transport;
    private final Codec codec;
    private final CallOptions defaultOptions;
    private final RetryPolicy retry;
    private final List<ClientInterceptor> interceptors;
    private final AtomicLong callIds = new AtomicLong();
    private final ClientConnection connection;
    private volatile boolean disposed;

    private final int maxInboundPayloadSize;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ParleyClient(Builder builder, ClientTransport transport) {
        this.transport = transport;
        this.codec = builder.codec;
        this.defaultOptions = builder.defaultOptions;
        this.retry = builder.retry;
        this.interceptors = List.copyOf(builder.interceptors);
        this.maxInboundPayloadSize = builder.maxInboundPayloadSize;
        this.connection = transport.connect(new ClientSetup(codec.mimeType(), maxInboundPayloadSize, codec.keepsBuffers(),
                builder.credentials));
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
        return new CallMono<>(this, CallShape.UNARY, method, request, replyType, options);
    }

    /**
     * Calls a server stream with the client's default options: one request, a {@code Flux} of
     * items. The subscriber's demand reaches the server (over RSocket, {@code REQUEST_N}).
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to
     * @param <R> the item type
     * @return the items, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Flux<R> stream(String method, @Nullable Object request, Class<R> itemType) {
        return stream(method, request, itemType, defaultOptions);
    }

    /**
     * Calls a server stream whose items are of a generic type, such as {@code List<Order>},
     * with the client's default options.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to
     * @param <R> the item type; the caller vouches that it matches {@code itemType}
     * @return the items, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Flux<R> stream(String method, @Nullable Object request, Type itemType) {
        return stream(method, request, itemType, defaultOptions);
    }

    /**
     * Calls a server stream: one request, a {@code Flux} of items. The options' timeout bounds
     * the whole stream.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to, which may be generic
     * @param options the call's options
     * @param <R> the item type; the caller vouches that it matches {@code itemType}
     * @return the items, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Flux<R> stream(String method, @Nullable Object request, Type itemType, CallOptions options) {
        return flux(CallShape.SERVER_STREAM, method, request, itemType, options);
    }

    /**
     * Calls a bidirectional stream with the client's default options: the requests go out as
     * the server asks for them, the items come back as the subscriber asks for them.
     *
     * @param method the method name
     * @param requests the requests; subscribed to when the call is; its error ends the call
     *        with {@code RPC_S_CALL_FAILED}
     * @param itemType the type to decode each item to
     * @param <R> the item type
     * @return the items, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Flux<R> channel(String method, Publisher<?> requests, Class<R> itemType) {
        return channel(method, requests, itemType, defaultOptions);
    }

    /**
     * Calls a bidirectional stream whose items are of a generic type, with the client's default
     * options.
     *
     * @param method the method name
     * @param requests the requests; subscribed to when the call is
     * @param itemType the type to decode each item to
     * @param <R> the item type; the caller vouches that it matches {@code itemType}
     * @return the items, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Flux<R> channel(String method, Publisher<?> requests, Type itemType) {
        return channel(method, requests, itemType, defaultOptions);
    }

    /**
     * Calls a bidirectional stream.
     *
     * @param method the method name
     * @param requests the requests; subscribed to when the call is
     * @param itemType the type to decode each item to, which may be generic
     * @param options the call's options
     * @param <R> the item type; the caller vouches that it matches {@code itemType}
     * @return the items, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Flux<R> channel(String method, Publisher<?> requests, Type itemType, CallOptions options) {
        Objects.requireNonNull(requests, "requests");
        return flux(CallShape.BIDI_STREAM, method, requests, itemType, options);
    }

    /**
     * Calls a client stream with the client's default options: a {@code Flux} of requests, one
     * reply.
     *
     * @param method the method name
     * @param requests the requests; subscribed to when the call is
     * @param replyType the type to decode the reply to; {@code Void.class} for none
     * @param <R> the reply type
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> clientStream(String method, Publisher<?> requests, Class<R> replyType) {
        return clientStream(method, requests, replyType, defaultOptions);
    }

    /**
     * Calls a client stream whose reply is of a generic type, with the client's default options.
     *
     * @param method the method name
     * @param requests the requests; subscribed to when the call is
     * @param replyType the type to decode the reply to
     * @param <R> the reply type; the caller vouches that it matches {@code replyType}
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> clientStream(String method, Publisher<?> requests, Type replyType) {
        return clientStream(method, requests, replyType, defaultOptions);
    }

    /**
     * Calls a client stream.
     *
     * @param method the method name
     * @param requests the requests; subscribed to when the call is
     * @param replyType the type to decode the reply to, which may be generic
     * @param options the call's options
     * @param <R> the reply type; the caller vouches that it matches {@code replyType}
     * @return the reply, made when subscribed; disposing the subscription cancels the call abortively
     */
    public <R> Mono<R> clientStream(String method, Publisher<?> requests, Type replyType, CallOptions options) {
        Objects.requireNonNull(requests, "requests");
        return mono(CallShape.CLIENT_STREAM, method, requests, replyType, options);
    }

    /**
     * Makes a one-way call, MS-RPC's {@code [maybe]}: the request goes out and nothing comes
     * back — no reply, no fault, no status (over RSocket, a {@code REQUEST_FNF}). The
     * {@code Mono} completes once the request is handed to the connection, and errors only when
     * it could not be: {@code RPC_S_SERVER_UNAVAILABLE}, or {@code RPC_S_INVALID_ARG} for a
     * request too large to send. Whether the server ran it, the client never learns.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @return completes when the request is sent
     */
    public Mono<Void> send(String method, @Nullable Object request) {
        return mono(CallShape.ONE_WAY, method, request, Void.class, defaultOptions);
    }

    /**
     * Calls a server stream and returns its handle, in the MS-RPC style. The request goes out
     * when {@link ClientStream#items()} is subscribed.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to
     * @param <R> the item type
     * @return the stream, made (C)
     * @throws RpcFault with {@code RPC_X_BAD_STUB_DATA} if the request cannot be encoded
     */
    public <R> ClientStream<R> startStream(String method, @Nullable Object request, Class<R> itemType) {
        return startStream(method, request, itemType, defaultOptions);
    }

    /**
     * Calls a server stream whose items are of a generic type, with the client's default
     * options, and returns its handle, in the MS-RPC style.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to
     * @param <R> the item type; the caller vouches that it matches {@code itemType}
     * @return the stream, made (C)
     * @throws RpcFault with {@code RPC_X_BAD_STUB_DATA} if the request cannot be encoded
     */
    public <R> ClientStream<R> startStream(String method, @Nullable Object request, Type itemType) {
        return startStream(method, request, itemType, defaultOptions);
    }

    /**
     * Calls a server stream with options and returns its handle, in the MS-RPC style.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to
     * @param options the call's options; the timeout's clock starts when the items are subscribed
     * @param <R> the item type
     * @return the stream, made (C)
     * @throws RpcFault with {@code RPC_X_BAD_STUB_DATA} if the request cannot be encoded
     */
    public <R> ClientStream<R> startStream(String method, @Nullable Object request, Class<R> itemType, CallOptions options) {
        return startStream(method, request, (Type) itemType, options);
    }

    /**
     * Calls a server stream whose items are of a generic type, such as {@code List<Order>}, and
     * returns its handle, in the MS-RPC style.
     *
     * @param method the method name
     * @param request the request, or {@code null} for none
     * @param itemType the type to decode each item to
     * @param options the call's options; the timeout's clock starts when the items are subscribed
     * @param <R> the item type; the caller vouches that it matches {@code itemType}
     * @return the stream, made (C)
     * @throws RpcFault with {@code RPC_X_BAD_STUB_DATA} if the request cannot be encoded
     */
    public <R> ClientStream<R> startStream(String method, @Nullable Object request, Type itemType, CallOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(itemType, "itemType");
        Objects.requireNonNull(options, "options");
        return newCall(CallShape.SERVER_STREAM, newRequest(CallShape.SERVER_STREAM, method, request, options), itemType,
                options, Context.empty(), null);
    }

    private <R> Mono<R> mono(CallShape shape, String method, @Nullable Object request, Type replyType, CallOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(replyType, "replyType");
        Objects.requireNonNull(options, "options");
        return new CallMono<>(this, shape, method, request, replyType, options);
    }

    private <R> Flux<R> flux(CallShape shape, String method, @Nullable Object request, Type itemType, CallOptions options) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(itemType, "itemType");
        Objects.requireNonNull(options, "options");
        return new CallFlux<>(this, shape, method, request, itemType, options);
    }

    /** A subscription to a call's {@code Mono} or {@code Flux}: one call, started for its subscriber. */
    <R> void subscribe(CallShape shape, String method, @Nullable Object request, Type replyType, CallOptions options,
            CoreSubscriber<? super R> actual) {
        ContextView context = actual.currentContext();
        Deadline deadline = Deadline.from(context);
        CallOptions effective = options;
        if (deadline != null) {
            Duration remaining = deadline.remaining();
            if (remaining.isNegative() || remaining.isZero()) {
                Operators.error(actual, new RpcFault(RpcStatus.TIMEOUT, "the deadline of '" + method
                        + "' passed " + remaining.negated().toMillis() + " ms before the call was made; it was not sent"));
                return;
            }
            effective = options.within(remaining);
        }
        RpcRequest rpcRequest;
        try {
            rpcRequest = newRequest(shape, method, request, effective);
        }
        catch (RpcFault fault) {
            Operators.error(actual, fault);
            return;
        }
        this.<R>newCall(shape, rpcRequest, replyType, effective, context, actual).start();
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
        DefaultClientCall<R> call = newCall(CallShape.UNARY, newRequest(CallShape.UNARY, method, request, options), replyType,
                options, Context.empty(), null);
        call.start();
        return call;
    }

    /** The options of calls made without options of their own. */
    public CallOptions defaultOptions() {
        return defaultOptions;
    }

    /** The retry policy of calls whose options have none of their own. */
    public RetryPolicy retryPolicy() {
        return retry;
    }

    /** Closes the connection; calls in flight end with {@code RPC_S_COMM_FAILURE}, later ones with {@code RPC_S_SERVER_UNAVAILABLE}. */
    @Override
    public void dispose() {
        disposed = true;
        connection.dispose();
    }

    @Override
    public boolean isDisposed() {
        return disposed;
    }

    @Override
    public String toString() {
        return "ParleyClient{" + transport + ", " + codec.mimeType() + "}";
    }

    /**
     * A call, not started: its transport handle and, for a {@code Mono}, its subscriber.
     *
     * @param context the caller's Reactor {@code Context}, which the interceptors see
     * @param actual the {@code Mono}'s subscriber, or {@code null} for a {@link ClientCall}
     */
    <R> DefaultClientCall<R> newCall(CallShape shape, RpcRequest request, Type replyType, CallOptions options,
            ContextView context, @Nullable CoreSubscriber<? super R> actual) {
        // Without interceptors nobody is told of the call's end, and nothing is made for it.
        Intercepted intercepted = interceptors.isEmpty() ? null
                : new Intercepted(this, request, shape, options, interceptors, context);
        TransportCall handle;
        if (disposed) {
            handle = TransportCall.failed(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the client is disposed"));
        }
        else if (intercepted != null) {
            handle = intercepted;
        }
        else {
            handle = attempts(request, shape, options, null);
        }
        DefaultClientCall<R> call = new DefaultClientCall<>(this, request, shape.repliesMany(), replyType, options,
                intercepted, handle, actual);
        if (request.more() instanceof Outbound) {
            ((Outbound) request.more()).bind(call);
        }
        return call;
    }

    /**
     * The handle that sends a call: the connection's own, when the call is sent once at most, or
     * one that makes an attempt after another as the call's retry policy allows.
     *
     * @param intercepted the call as its interceptors see it, to be told of retries; {@code null} for none
     */
    TransportCall attempts(RpcRequest request, CallShape shape, CallOptions options, @Nullable Intercepted intercepted) {
        RetryPolicy policy = options.retryPolicy();
        if (policy == null) {
            policy = retry;
        }
        if (policy.maxAttempts() == 1) {
            return transportCall(connection, request);
        }
        return new Retrying(connection, request, shape, options.isIdempotent(), policy, intercepted);
    }

    /** The connection's handle of a call; one that fails as it starts if the transport cannot make it. */
    static TransportCall transportCall(ClientConnection connection, RpcRequest request) {
        try {
            return connection.newCall(request);
        }
        catch (RuntimeException e) {
            return TransportCall.failed(e instanceof RpcFault ? (RpcFault) e
                    : new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the transport could not make the call: " + e, e));
        }
    }

    /**
     * The request as it crosses the transport.
     *
     * @throws RpcFault {@code RPC_S_INVALID_ARG} for a method name that cannot be sent (empty, or
     *         over 255 UTF-8 bytes: RSocket's routing metadata holds no more), {@code RPC_X_BAD_STUB_DATA}
     *         for a request the codec cannot encode
     */
    RpcRequest newRequest(CallShape shape, String method, @Nullable Object request, CallOptions options) {
        int nameBytes = RpcRequest.utf8Length(method);
        if (nameBytes == 0 || nameBytes > RpcRequest.MAX_METHOD_BYTES) {
            throw new RpcFault(RpcStatus.INVALID_ARG, "the method name is " + nameBytes
                    + " UTF-8 bytes (expected: 1 to " + RpcRequest.MAX_METHOD_BYTES + ")");
        }
        if (shape.requestsMany()) {
            // The transport puts the first of the requests in the opening frame.
            return new RpcRequest(method, callIds.incrementAndGet(), options.serverTimeout(), EMPTY, shape.interaction(),
                    new Outbound(this, method, (Publisher<?>) Objects.requireNonNull(request, "requests")),
                    options.metadata(), options.credentials());
        }
        return new RpcRequest(method, callIds.incrementAndGet(), options.serverTimeout(), encode(method, request),
                shape.interaction(), null, options.metadata(), options.credentials());
    }

    /**
     * A request's bytes.
     *
     * @throws RpcFault {@code RPC_X_BAD_STUB_DATA} for a request the codec cannot encode
     */
    ByteBuffer encode(String method, @Nullable Object request) {
        try {
            return codec.encode(request);
        }
        catch (CodecException e) {
            throw new RpcFault(RpcStatus.BAD_STUB_DATA.value(),
                    "the request of '" + method + "' could not be encoded: " + e.getMessage(), e);
        }
    }

    /**
     * A reply's value.
     *
     * @throws RpcFault {@code RPC_S_OUT_OF_MEMORY} for a reply over the client's limit; the codec's
     *         exceptions otherwise, which the call turns into {@code RPC_X_BAD_STUB_DATA}
     */
    @SuppressWarnings("unchecked")
    <R> @Nullable R decode(String method, ByteBuffer bytes, Type replyType) {
        int size = bytes.remaining();
        if (size > maxInboundPayloadSize) {
            throw new RpcFault(RpcStatus.OUT_OF_MEMORY, "the reply of '" + method + "' is " + size
                    + " bytes, over the client's limit of " + maxInboundPayloadSize);
        }
        return (R) codec.decode(bytes, replyType);
    }

    /**
     * Builds a {@link ParleyClient}. Reached through {@link ParleyClient#builder()}; not thread-safe.
     */
    public static final class Builder {

        private @Nullable ClientTransport transport;
        private Codec codec = JsonCodec.create();
        private CallOptions defaultOptions = CallOptions.DEFAULT;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private int maxInboundPayloadSize = DEFAULT_MAX_INBOUND_PAYLOAD_SIZE;
        private final List<ClientInterceptor> interceptors = new ArrayList<>();
        private @Nullable Credentials credentials;

        Builder() {
        }

        /**
         * Adds an interceptor, after those added before: it runs around every call the client makes.
         *
         * @param interceptor the interceptor
         * @return this builder
         */
        public Builder interceptor(ClientInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Sets the connection's credentials, sent when it opens (over RSocket, in SETUP) and used
         * by the server for every call that brings none of its own.
         *
         * @param credentials the credentials
         * @return this builder
         */
        public Builder credentials(Credentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * Sets the largest reply the client takes, {@link #DEFAULT_MAX_INBOUND_PAYLOAD_SIZE} by
         * default. A larger reply ends its call with {@code RPC_S_OUT_OF_MEMORY}; over RSocket, a
         * reply sent in fragments is refused as the fragments pass the limit.
         *
         * @param bytes the limit, positive
         * @return this builder
         */
        public Builder maxInboundPayloadSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxInboundPayloadSize: " + bytes + " (expected: > 0)");
            }
            this.maxInboundPayloadSize = bytes;
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
         * of the same MIME type: without codecs of its own, a server speaks JSON and CBOR
         * ({@link io.parley.core.codec.CborCodec}).
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
         * Sets how calls are retried, {@link RetryPolicy#DEFAULT} by default; a call's own
         * ({@link CallOptions#withRetry}) wins. {@link RetryPolicy#NONE} sends every call once.
         * Which calls may be retried at all, the call model says ({@link RetryPolicy}).
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder retry(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy, "policy");
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
            return new ParleyClient(this, t);
        }
    }
}
