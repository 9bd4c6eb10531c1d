package io.parley.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a Parley method: one that a {@link ParleyService @ParleyService} bean serves, or one
 * that a {@link ParleyStub @ParleyStub} interface calls.
 *
 * <p>On a server, these shapes are served ({@code Q} the request type, {@code R} the reply or item
 * type). Unary calls, one request and one reply:
 * <ul>
 * <li>{@code Mono<R> m(Q)} and {@code Mono<R> m()}: the {@code Mono} completes or aborts the call;</li>
 * <li>{@code Mono<R> m(Q, AsyncCall<R>)} and {@code Mono<R> m(AsyncCall<R>)}: the same, with the
 *     call at hand to poll {@code testCancel()} or watch {@code cancelled()};</li>
 * <li>{@code void m(Q, AsyncCall<R>)} and {@code void m(AsyncCall<R>)}: MS-RPC style, the method
 *     completes or aborts the call itself, now or later from any thread;</li>
 * <li>{@code R m(Q)} and {@code R m()}: a blocking method, run on {@code Schedulers.boundedElastic()},
 *     off the event loop; a {@code null} return completes the call without a reply.</li>
 * </ul>
 * Server streams, one request and any number of items, ending once with a complete or an abort:
 * <ul>
 * <li>{@code Flux<R> m(Q)} and {@code Flux<R> m()}: the {@code Flux} sends the items, its completion
 *     completes the call and its error aborts it; the client's demand is the {@code Flux}'s;</li>
 * <li>{@code Flux<R> m(Q, ServerStream<R>)} and {@code Flux<R> m(ServerStream<R>)}: the same, with
 *     the stream at hand to poll {@code testCancel()} or watch {@code cancelled()} (a graceful
 *     cancel leaves the {@code Flux} running for its own end);</li>
 * <li>{@code void m(Q, ServerStream<R>)} and {@code void m(ServerStream<R>)}: MS-RPC style, the
 *     method sends items with {@code next}, and ends the stream with {@code complete} or
 *     {@code abort}, now or later from any thread.</li>
 * </ul>
 * Streams of requests, each request decoded to the {@code Flux}'s type argument {@code Q}:
 * <ul>
 * <li>{@code Mono<R> m(Flux<Q>)}: a client stream, the {@code Mono}'s value its one reply;</li>
 * <li>{@code Flux<R> m(Flux<Q>)}: a bidirectional stream (channel);</li>
 * <li>{@code void m(Flux<Q>, ServerStream<R>)}: a channel in the MS-RPC style.</li>
 * </ul>
 * One-way calls, MS-RPC's {@code [maybe]}: {@code void m(Q)} and {@code void m()}, a method
 * without a call handle. The method runs on {@code Schedulers.boundedElastic()}, as a plain method
 * does. The client learns nothing back, not even a fault: what the method throws ends the call on
 * the server alone, in its metrics (an unexpected exception is logged too). A one-way call whose
 * request is empty is refused before the method runs.
 *
 * <p>Any of these may also take one {@link java.security.Principal} parameter, or one of a subtype
 * such as Spring Security's {@code Authentication}, anywhere in its list: the caller, as the
 * server's authenticator accepted it, or {@code null} for a call without credentials (or whose
 * principal is not of that type).
 *
 * <p>Calling a method in another shape than it is served in ends the call with
 * {@code RPC_S_INVALID_ASYNC_CALL}. An exception thrown by the method aborts the call: an
 * {@link io.parley.core.RpcFault} with its own code, Spring Security's {@code AccessDeniedException}
 * (a {@code @PreAuthorize} that denies) with {@code RPC_S_ACCESS_DENIED}, anything else with
 * {@code RPC_S_CALL_FAILED}. Any other signature fails at startup, naming the method and what was
 * expected.
 *
 * <pre>{@code
 * @ParleyMethod("orders.find")
 * Mono<Order> find(OrderId id) { ... }
 * }</pre>
 *
 * <p>On a client interface, see {@link ParleyStub} for the shapes.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ParleyMethod {

    /**
     * The Parley method name that clients call; empty for the Java method's name.
     *
     * @return the method name
     */
    String value() default "";

    /**
     * Whether the method is safe to repeat: a second run has no effect the first did not have (a
     * read, a put of a whole value). On a server the method is declared so
     * ({@code ServerMethod.idempotent()}); on a client interface its calls are
     * ({@code CallOptions.withIdempotent(true)}, whatever options the caller passes), and are sent
     * again, within their deadline and the client's retry policy, after
     * {@code RPC_S_SERVER_TOO_BUSY}, {@code RPC_S_SERVER_UNAVAILABLE} or {@code RPC_S_COMM_FAILURE}.
     * {@link ParleyStub#idempotent() @ParleyStub(idempotent = true)} declares every method of
     * an interface so.
     *
     * @return whether the method is idempotent
     */
    boolean idempotent() default false;
}
