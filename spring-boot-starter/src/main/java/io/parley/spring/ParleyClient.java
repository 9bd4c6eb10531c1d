package io.parley.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an interface whose methods call a Parley server. Spring Boot's auto-configuration (or
 * {@link EnableParleyClients @EnableParleyClients}) finds such interfaces and makes each an
 * injectable bean that calls through an {@link io.parley.core.client.ParleyClient}.
 *
 * <pre>{@code
 * @ParleyClient
 * public interface Orders {
 *
 *     @ParleyMethod("orders.find")
 *     Mono<Order> find(OrderId id);
 *
 *     Mono<List<Order>> recent(CallOptions options);   // calls "recent"
 *
 *     ClientCall<Report> report(Query query);           // MS-RPC style handle
 * }
 * }</pre>
 *
 * <p>Each abstract method takes no parameter or one request parameter, optionally followed by a
 * {@link io.parley.core.client.CallOptions} parameter for the call's options, and returns either
 * {@code Mono<R>} (lazy: the call is made when subscribed, and disposing the subscription cancels
 * it abortively; {@code Mono<Void>} for a method without a reply) or
 * {@link io.parley.core.client.ClientCall ClientCall<R>} (the call is made at once). The method
 * name is the {@link ParleyMethod @ParleyMethod} value, else the Java method's name. Default
 * methods run as written. Any other shape fails when the client is created.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface ParleyClient {

    /**
     * The bean name; empty for the interface's simple name, uncapitalised ({@code orders} for
     * {@code Orders}).
     *
     * @return the bean name
     */
    String value() default "";

    /**
     * The name of the {@link io.parley.core.client.ParleyClient} bean to call through; empty for
     * the application's single (or primary) one.
     *
     * @return the client bean name
     */
    String client() default "";
}
