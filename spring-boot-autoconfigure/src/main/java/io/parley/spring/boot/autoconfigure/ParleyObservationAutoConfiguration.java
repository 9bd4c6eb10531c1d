package io.parley.spring.boot.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import io.micrometer.observation.ObservationRegistry;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.observation.ClientCallObservationConvention;
import io.parley.core.observation.ParleyObservations;
import io.parley.core.observation.ServerCallObservationConvention;
import io.parley.core.server.ServerInterceptor;

/**
 * Auto-configuration of Micrometer observations around every Parley call, server and client, as
 * the first of their interceptors: {@value ParleyObservations#SERVER_CALLS} and
 * {@value ParleyObservations#CLIENT_CALLS}, tagged with the method, the call's final status (a
 * well-known status by name, any application fault code as {@value ParleyObservations#APPLICATION},
 * its exact value in the high-cardinality key {@value ParleyObservations#FAULT_CODE}) and, on the
 * server, why the client cancelled it. With a tracer, the trace context crosses in the calls'
 * metadata. A {@link ServerCallObservationConvention} or {@link ClientCallObservationConvention}
 * bean replaces the names and keys; {@code management.observations.enable.parley=false} turns the
 * observations off.
 */
@AutoConfiguration(before = { ParleyServerAutoConfiguration.class, ParleyClientAutoConfiguration.class },
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
public final class ParleyObservationAutoConfiguration {

    /**
     * The order of the observation interceptors among the application's: ahead of those of the
     * default order, so that the observation times them and they run within its span.
     */
    public static final int INTERCEPTOR_ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    @Bean
    @Order(INTERCEPTOR_ORDER)
    @ConditionalOnMissingBean(name = "parleyServerObservationInterceptor")
    ServerInterceptor parleyServerObservationInterceptor(ObservationRegistry registry,
            ObjectProvider<ServerCallObservationConvention> convention) {
        return ParleyObservations.serverInterceptor(registry, convention.getIfUnique());
    }

    @Bean
    @Order(INTERCEPTOR_ORDER)
    @ConditionalOnMissingBean(name = "parleyClientObservationInterceptor")
    ClientInterceptor parleyClientObservationInterceptor(ObservationRegistry registry,
            ObjectProvider<ClientCallObservationConvention> convention) {
        return ParleyObservations.clientInterceptor(registry, convention.getIfUnique());
    }
}
