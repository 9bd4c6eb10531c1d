package io.parley.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.parley.core.client.ParleyClient;

/**
 * Marks an interface whose methods call a Parley server. Spring Boot's auto-configuration (or
 * {@link EnableParleyStubs @EnableParleyStubs}) finds such interfaces and makes each an
 * injectable bean that calls through an {@link ParleyClient}.
 *
 * <pre>{@code
 * @ParleyStub
 * public interface Orders {
 *
 *     @ParleyMethod("orders.find")
 *     Mono<Order> find(OrderId id);
 *
 *     Mono<List<Order>> recent(CallOptions options);   // calls "recent"
 *
 *     ClientCall<Report> report(Query query);           // MS-RPC style handle
 *
 *     Flux<Order> open(Customer customer);              // a server stream
 *
 *     Mono<Receipt> placeAll(Flux<Order> orders);       // a client stream
 *
 *     Flux<Receipt> track(Flux<OrderId> ids);           // a channel
 *
 *     void audit(Event event);                          // one-way: fire and forget
 * }
 * }</pre>
 *
 * <p>Each abstract method takes no parameter or one request parameter, optionally followed by a
 * {@link io.parley.core.client.CallOptions} parameter for the call's options. The return type and
 * the request parameter give the call's shape:
 * <ul>
 * <li>{@code Mono<R> m(Q)}: a unary call, lazy (made when subscribed; disposing the subscription
 *     cancels it abortively); {@code Mono<Void>} for a method without a reply, still a unary call
 *     that waits for the server's complete or abort;</li>
 * <li>{@code ClientCall<R> m(Q)}: a unary call made at once, its MS-RPC style handle, a
 *     {@link io.parley.core.client.ClientCall}, returned;</li>
 * <li>{@code Flux<R> m(Q)}: a server stream, lazy; the subscriber's demand reaches the server;</li>
 * <li>{@code ClientStream<R> m(Q)}: a server stream's MS-RPC style handle, a
 *     {@link io.parley.core.client.ClientStream}, for a graceful cancel and its status; the request
 *     goes out when its items are subscribed;</li>
 * <li>{@code Mono<R> m(Flux<Q>)}: a client stream, the requests sent as the server asks for them;</li>
 * <li>{@code Flux<R> m(Flux<Q>)}: a bidirectional stream (channel);</li>
 * <li>{@code void m(Q)}: a one-way call, MS-RPC's {@code [maybe]}. The method sends the request
 *     and returns at once; nothing comes back, not even a fault, so a request that could not be
 *     sent (no server, a request that cannot be encoded) is logged, not thrown. It takes no
 *     {@code CallOptions}: there is nothing to time or cancel.</li>
 * </ul>
 * {@code Publisher<Q>} serves as well as {@code Flux<Q>}. The reply or item type of a {@code Mono}
 * or {@code Flux} may be generic ({@code Flux<List<Order>>}); a stream of a generic type needs the
 * {@code CallOptions} parameter, since the client takes a generic type only with options (pass
 * {@code CallOptions.DEFAULT} for none). The method name is the
 * {@link ParleyMethod @ParleyMethod} value, else the Java method's name. Default methods run as
 * written. Any other shape fails when the client is created. A method called in another shape
 * than the server serves it ends with {@code RPC_S_INVALID_ASYNC_CALL}.
 *
 * <p>The calls are retried as the client's {@link io.parley.core.client.RetryPolicy} says: a call
 * that never left the client always, and the calls of a method marked
 * {@link ParleyMethod#idempotent() @ParleyMethod(idempotent = true)} (or of an interface marked
 * {@link #idempotent()}) also after {@code RPC_S_SERVER_TOO_BUSY}, {@code RPC_S_SERVER_UNAVAILABLE}
 * or {@code RPC_S_COMM_FAILURE}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ParleyStub {

    /**
     * The bean name; empty for the interface's simple name, uncapitalised ({@code orders} for
     * {@code Orders}).
     *
     * @return the bean name
     */
    String value() default "";

    /**
     * The name of the {@link ParleyClient} bean to call through; empty for
     * the application's single (or primary) one.
     *
     * @return the client bean name
     */
    String client() default "";

    /**
     * Whether every method of the interface is safe to repeat, as if each were marked
     * {@link ParleyMethod#idempotent() @ParleyMethod(idempotent = true)}.
     *
     * @return whether the interface's methods are idempotent
     */
    boolean idempotent() default false;
}
