package io.parley.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a Parley method: one that a {@link ParleyService @ParleyService} bean serves, or one
 * that a {@link ParleyClient @ParleyClient} interface calls.
 *
 * <p>On a server, these shapes are served ({@code Q} the request type, {@code R} the reply type):
 * <ul>
 * <li>{@code Mono<R> m(Q)} and {@code Mono<R> m()}: the {@code Mono} completes or aborts the call;</li>
 * <li>{@code Mono<R> m(Q, AsyncCall<R>)} and {@code Mono<R> m(AsyncCall<R>)}: the same, with the
 *     call at hand to poll {@code testCancel()} or watch {@code cancelled()};</li>
 * <li>{@code void m(Q, AsyncCall<R>)} and {@code void m(AsyncCall<R>)}: MS-RPC style, the method
 *     completes or aborts the call itself, now or later from any thread;</li>
 * <li>{@code R m(Q)} and {@code R m()}: a blocking method, run on {@code Schedulers.boundedElastic()},
 *     off the event loop; a {@code null} return completes the call without a reply.</li>
 * </ul>
 * An exception thrown by the method aborts the call: an {@link io.parley.core.RpcFault} with its
 * own code, anything else with {@code RPC_S_CALL_FAILED}.
 *
 * <pre>{@code
 * @ParleyMethod("orders.find")
 * Mono<Order> find(OrderId id) { ... }
 * }</pre>
 *
 * <p>On a client interface, see {@link ParleyClient} for the shapes.
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
}
