package io.parley.core.server;

import java.util.Objects;
import java.util.function.Function;

import io.parley.core.transport.RpcRequest;
import reactor.core.publisher.Mono;

/**
 * A method a {@link ParleyServer} serves: its name, its request type and its handler, in one of
 * three shapes.
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

    private ServerMethod(String name, Class<Q> requestType, Invoker<Q, R> invoker, boolean requestRequired, boolean blocking) {
        this.name = name;
        this.requestType = requestType;
        this.invoker = invoker;
        this.requestRequired = requestRequired;
        this.blocking = blocking;
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
        return create(name, requestType, invoker, requestType != Void.class);
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
        return create(name, requestType, Invoker.ofMono(handler), false);
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
        return create(name, requestType, handler::handle, false);
    }

    private static <Q, R> ServerMethod<Q, R> create(String name, Class<Q> requestType, Invoker<Q, R> invoker,
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
        return new ServerMethod<>(name, requestType, invoker, requestRequired, false);
    }

    /**
     * Returns this method marked blocking: its handler runs on
     * {@code Schedulers.boundedElastic()}, where it may sleep, wait on I/O or call blocking APIs.
     */
    public ServerMethod<Q, R> blocking() {
        return blocking ? this : new ServerMethod<>(name, requestType, invoker, requestRequired, true);
    }

    /** The method name that clients call. */
    public String name() {
        return name;
    }

    /** The type the request is decoded to. */
    public Class<Q> requestType() {
        return requestType;
    }

    /** Whether the handler runs on {@code Schedulers.boundedElastic()}. */
    public boolean isBlocking() {
        return blocking;
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
        return "ServerMethod{" + name + "(" + requestType.getSimpleName() + ")" + (blocking ? ", blocking" : "") + "}";
    }
}
