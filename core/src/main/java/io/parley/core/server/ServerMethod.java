package io.parley.core.server;

import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.parley.core.CallShape;
import io.parley.core.transport.RpcRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A method a {@link ParleyServer} serves: its name, its {@link CallShape}, its request type and
 * its handler, WebFlux style or MS-RPC style.
 *
 * <pre>{@code
 * // WebFlux style: a function of the request
 * ServerMethod.mono("echo", String.class, text -> Mono.just(text));
 *
 * // WebFlux style, with the call at hand to watch for cancels
 * ServerMethod.mono("scan", Query.class, (query, call) -> scan(query).takeUntilOther(call.cancelled()).then(...));
 *
 * // MS-RPC style: complete or abort the call, from any thread; blocking work off the event loop
 * ServerMethod.async("AsyncFunc", Long.class, AsyncFunc::handle).blocking();
 *
 * // Streams: a Flux of items, in either style; a Flux of requests; one-way
 * ServerMethod.flux("ticks", Integer.class, n -> Flux.range(0, n));
 * ServerMethod.stream("progress", Job.class, (job, stream) -> ... stream.next(p) ... stream.complete());
 * ServerMethod.channel("echo", String.class, requests -> requests.map(String::toUpperCase));
 * ServerMethod.clientStream("sum", Integer.class, numbers -> numbers.reduce(0, Integer::sum));
 * ServerMethod.oneWay("log", Event.class, event -> journal.append(event));
 * }</pre>
 *
 * <p>A request the client sent empty (no data, or JSON {@code null}) reaches the two-argument
 * shapes as {@code null}. The one-argument {@code mono} shape takes a function that is never
 * given {@code null}: such a call is refused before its handler runs, with
 * {@code RPC_X_BAD_STUB_DATA}, unless the request type is {@code Void}.
 *
 * <p>A handler runs on the thread that received the call, which on a network transport is an
 * event loop: it must not block. A method marked {@link #blocking()} runs its handler on
 * {@code Schedulers.boundedElastic()} instead.
 *
 * <p>Instances are immutable.
 *
 * @param <Q> the request type
 * @param <R> the reply type
 */
public final class ServerMethod<Q, R> {

    private final String name;
    private final Class<Q> requestType;
    private final Invoker<Q, R> invoker;
    private final boolean requestRequired;
    private final boolean blocking;
    private final boolean idempotent;
    private final CallShape shape;
    /** Who may call the method; {@code null} for the server's rule. */
    private final @Nullable AccessRule access;

    private ServerMethod(String name, CallShape shape, Class<Q> requestType, Invoker<Q, R> invoker, boolean requestRequired,
            boolean blocking, boolean idempotent, @Nullable AccessRule access) {
        this.name = name;
        this.shape = shape;
        this.requestType = requestType;
        this.invoker = invoker;
        this.requestRequired = requestRequired;
        this.blocking = blocking;
        this.idempotent = idempotent;
        this.access = access;
    }

    /**
     * A method whose handler maps the request to a {@code Mono} of the reply.
     *
     * <p>The handler is never given {@code null}: a call whose request is empty (no data, or JSON
     * {@code null}) is refused before the handler runs, with {@code RPC_X_BAD_STUB_DATA} and the
     * detail "the request of 'name' is empty". The one exception is a request type of
     * {@code Void}, whose only value, {@code null}, the handler is given. A method whose request
     * is optional takes the {@link #mono(String, Class, MonoHandler) (request, call)} shape, which
     * is given {@code null} for an empty request.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the reply type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> mono(String name, Class<Q> requestType,
            Function<? super Q, ? extends Mono<? extends R>> handler) {
        Objects.requireNonNull(handler, "handler");
        // The request is null here only for Void: the session refuses an empty one first (requestRequired).
        Invoker<Q, R> invoker = Invoker.ofMono((request, call) -> handler.apply(request));
        return create(name, CallShape.UNARY, requestType, invoker, requestType != Void.class);
    }

    /**
     * A method whose handler maps the request to a {@code Mono} of the reply and is given the
     * call, to watch for cancels.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the reply type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> mono(String name, Class<Q> requestType, MonoHandler<Q, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return create(name, CallShape.UNARY, requestType, Invoker.ofMono(handler), false);
    }

    /**
     * A method in the MS-RPC style, whose handler completes or aborts the call itself.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the reply type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> async(String name, Class<Q> requestType, AsyncHandler<Q, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return create(name, CallShape.UNARY, requestType, handler::handle, false);
    }

    /**
     * A server stream whose handler maps the request to a {@code Flux} of items; the client's
     * demand is the {@code Flux}'s. As for {@link #mono(String, Class, Function)}, the handler is
     * never given {@code null}: an empty request is refused with {@code RPC_X_BAD_STUB_DATA}.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the item type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> flux(String name, Class<Q> requestType,
            Function<? super Q, ? extends Publisher<? extends R>> handler) {
        Objects.requireNonNull(handler, "handler");
        Invoker<Q, R> invoker = Invoker.ofFlux((request, stream) -> handler.apply(request));
        return create(name, CallShape.SERVER_STREAM, requestType, invoker, requestType != Void.class);
    }

    /**
     * A server stream whose handler maps the request to a {@code Flux} of items and is given the
     * stream, to watch for cancels.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the item type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> flux(String name, Class<Q> requestType, FluxHandler<Q, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return create(name, CallShape.SERVER_STREAM, requestType, Invoker.ofFlux(handler), false);
    }

    /**
     * A server stream in the MS-RPC style, whose handler sends items on the stream and completes
     * or aborts it itself, from any thread.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the item type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> stream(String name, Class<Q> requestType, StreamHandler<Q, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return create(name, CallShape.SERVER_STREAM, requestType, handler::handle, false);
    }

    /**
     * A bidirectional stream: the handler maps the client's {@code Flux} of requests to a
     * {@code Flux} of items. Its demand on the requests is the client's {@code REQUEST_N}; the
     * client's demand is its {@code Flux}'s. A request that cannot be decoded ends the call with
     * {@code RPC_X_BAD_STUB_DATA}.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type each request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the item type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> channel(String name, Class<Q> requestType,
            Function<? super Flux<Q>, ? extends Publisher<? extends R>> handler) {
        Objects.requireNonNull(handler, "handler");
        return channelOf(name, CallShape.BIDI_STREAM, requestType, Invoker.ofFlux((requests, stream) -> handler.apply(requests)));
    }

    /**
     * A bidirectional stream in the MS-RPC style: the handler reads the requests and sends items
     * on the stream, and completes or aborts it itself.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type each request is decoded to
     * @param handler the handler, given the requests and the stream
     * @param <Q> the request type
     * @param <R> the item type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> channel(String name, Class<Q> requestType, StreamHandler<Flux<Q>, R> handler) {
        Objects.requireNonNull(handler, "handler");
        return channelOf(name, CallShape.BIDI_STREAM, requestType, handler::handle);
    }

    /**
     * A client stream: the handler maps the client's {@code Flux} of requests to a {@code Mono}
     * of the one reply.
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type each request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @param <R> the reply type
     * @return the method
     */
    public static <Q, R> ServerMethod<Q, R> clientStream(String name, Class<Q> requestType,
            Function<? super Flux<Q>, ? extends Mono<? extends R>> handler) {
        Objects.requireNonNull(handler, "handler");
        return channelOf(name, CallShape.CLIENT_STREAM, requestType, Invoker.ofMono((requests, call) -> handler.apply(requests)));
    }

    @SuppressWarnings("unchecked")
    private static <Q, R> ServerMethod<Q, R> channelOf(String name, CallShape shape, Class<Q> requestType,
            Invoker<Flux<Q>, R> invoker) {
        // The call hands the invoker its Flux of requests where other shapes hand the request.
        return create(name, shape, requestType, (Invoker<Q, R>) (Invoker<?, R>) invoker, false);
    }

    /**
     * A one-way method, MS-RPC's {@code [maybe]}: the client sends the request and is told
     * nothing back — no reply, no fault, no status; over RSocket a {@code REQUEST_FNF}, which the
     * client cannot cancel. The handler's {@code Mono} is the server's business only: its error
     * is logged, not sent. As for {@link #mono(String, Class, Function)}, an empty request is
     * refused before the handler runs (and, one-way, the client never learns it).
     *
     * @param name the method name that clients call: not blank, at most 255 bytes in UTF-8
     * @param requestType the type the request is decoded to
     * @param handler the handler
     * @param <Q> the request type
     * @return the method
     */
    public static <Q> ServerMethod<Q, Void> oneWay(String name, Class<Q> requestType,
            Function<? super Q, ? extends Mono<Void>> handler) {
        Objects.requireNonNull(handler, "handler");
        Invoker<Q, Void> invoker = Invoker.ofMono((request, call) -> handler.apply(request));
        return create(name, CallShape.ONE_WAY, requestType, invoker, requestType != Void.class);
    }

    private static <Q, R> ServerMethod<Q, R> create(String name, CallShape shape, Class<Q> requestType, Invoker<Q, R> invoker,
            boolean requestRequired) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(requestType, "requestType");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: \"" + name + "\" (expected: a method name that is not blank)");
        }
        // RSocket's routing metadata gives a route one length byte; no client could call a longer name.
        int bytes = RpcRequest.utf8Length(name);
        if (bytes > RpcRequest.MAX_METHOD_BYTES) {
            throw new IllegalArgumentException("name: \"" + name + "\" of " + bytes + " UTF-8 bytes (expected: at most "
                    + RpcRequest.MAX_METHOD_BYTES + " UTF-8 bytes)");
        }
        return new ServerMethod<>(name, shape, requestType, invoker, requestRequired, false, false, null);
    }

    /**
     * Returns this method marked blocking: its handler runs on
     * {@code Schedulers.boundedElastic()}, where it may sleep, wait on I/O or call blocking APIs.
     */
    public ServerMethod<Q, R> blocking() {
        return blocking ? this : new ServerMethod<>(name, shape, requestType, invoker, requestRequired, true, idempotent, access);
    }

    /**
     * Returns this method declared idempotent: safe to repeat, a second run having no effect the
     * first did not have. Clients that know it (a {@code CallOptions.withIdempotent(true)}, an
     * {@code idempotent} annotation) send a call of it again when a server was too busy or
     * unavailable or the connection failed; the server shows it, and runs each call as any other.
     */
    public ServerMethod<Q, R> idempotent() {
        return idempotent ? this : new ServerMethod<>(name, shape, requestType, invoker, requestRequired, blocking, true, access);
    }

    /**
     * Returns this method with its own access rule, in place of the server's
     * ({@code ParleyServer.Builder.access}). A call the rule refuses ends with
     * {@code RPC_S_ACCESS_DENIED} before its handler runs.
     *
     * <pre>{@code
     * ServerMethod.mono("payroll", Month.class, payroll::run)
     *         .access(AccessRule.principal(p -> p.getName().equals("admin")));
     * }</pre>
     *
     * @param rule who may call the method
     * @return the method
     */
    public ServerMethod<Q, R> access(AccessRule rule) {
        Objects.requireNonNull(rule, "rule");
        return new ServerMethod<>(name, shape, requestType, invoker, requestRequired, blocking, idempotent, rule);
    }

    /** The method's own access rule, or {@code null} if the server's applies. */
    public @Nullable AccessRule accessRule() {
        return access;
    }

    /** The method name that clients call. */
    public String name() {
        return name;
    }

    /** How many requests and replies the method's calls carry. */
    public CallShape shape() {
        return shape;
    }

    /** The type the request is decoded to; for a client stream or a channel, each request. */
    public Class<Q> requestType() {
        return requestType;
    }

    /** Whether the handler runs on {@code Schedulers.boundedElastic()}. */
    public boolean isBlocking() {
        return blocking;
    }

    /** Whether the method is declared safe to repeat ({@link #idempotent()}). */
    public boolean isIdempotent() {
        return idempotent;
    }

    Invoker<Q, R> invoker() {
        return invoker;
    }

    /** Whether a call with an empty request is refused: the handler takes no {@code null}. */
    boolean requestRequired() {
        return requestRequired;
    }

    @Override
    public String toString() {
        return "ServerMethod{" + name + "(" + requestType.getSimpleName() + "), " + shape + (blocking ? ", blocking" : "")
                + (idempotent ? ", idempotent" : "") + "}";
    }
}
