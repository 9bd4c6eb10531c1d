package io.parley.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Component;

/**
 * Marks a bean whose {@link ParleyMethod @ParleyMethod} methods the application's Parley server
 * serves. A component: classpath scanning picks it up like any {@code @Component}.
 *
 * <pre>{@code
 * @ParleyService
 * class Greeter {
 *
 *     @ParleyMethod
 *     Mono<String> hello(String name) {
 *         return Mono.just("Hello, " + name);
 *     }
 *
 *     @ParleyMethod("AsyncFunc")
 *     void asyncFunc(Long delay, AsyncCall<Integer> call) {
 *         scheduler.schedule(() -> call.complete(1), delay, TimeUnit.MILLISECONDS);
 *     }
 * }
 * }</pre>
 *
 * <p>See {@link ParleyMethod} for the method shapes that can be served.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface ParleyService {

    /**
     * The bean name; empty to let Spring derive one from the class name.
     *
     * @return the bean name
     */
    @AliasFor(annotation = Component.class)
    String value() default "";
}
