package io.parley.spring;

import java.util.List;

import org.springframework.beans.factory.ListableBeanFactory;

import io.parley.core.server.ServerMethod;
import io.parley.spring.internal.ParleyServiceMethods;

/**
 * The server methods of {@link ParleyService @ParleyService} beans, for an application that builds
 * its {@code ParleyServer} itself — a Spring application without Boot, or a test. Boot's
 * auto-configuration does the same for the application's own server.
 *
 * <pre>{@code
 * @Bean(destroyMethod = "dispose")
 * ParleyServer parleyServer(ListableBeanFactory beans) {
 *     return ParleyServer.builder()
 *             .methods(ParleyServices.methods(beans))
 *             .transport(RSocketServerTransport.tcp("0.0.0.0", 7000))
 *             .bindNow();
 * }
 * }</pre>
 */
public final class ParleyServices {

    private ParleyServices() {
    }

    /**
     * The methods of every {@code @ParleyService} bean of a bean factory.
     *
     * @param beanFactory the application's bean factory
     * @return the methods, ordered by bean name and then by method name
     * @throws IllegalStateException if a method has a shape Parley cannot serve, or two methods
     *         share a Parley name
     */
    public static List<ServerMethod<?, ?>> methods(ListableBeanFactory beanFactory) {
        return ParleyServiceMethods.collect(beanFactory);
    }

    /**
     * The methods of one object's {@link ParleyMethod @ParleyMethod} methods; it need not be a bean.
     *
     * @param service the object, possibly an AOP proxy, through which the methods are invoked
     * @return the methods, ordered by method name
     * @throws IllegalStateException if a method has a shape Parley cannot serve, or two methods
     *         share a Parley name
     */
    public static List<ServerMethod<?, ?>> methods(Object service) {
        return ParleyServiceMethods.of(service, ParleyServiceMethods.userClass(service));
    }
}
