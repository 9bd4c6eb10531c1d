package io.parley.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

import io.micrometer.observation.ObservationRegistry;

/**
 * Auto-configuration of Micrometer observations around every Parley call, server and client:
 * {@value ObservationCallObserver#SERVER_CALLS} and {@value ObservationCallObserver#CLIENT_CALLS},
 * tagged with the method and the call's final status (a well-known status by name, any application
 * fault code as {@value ObservationCallObserver#APPLICATION}, its exact value in the high-cardinality
 * key {@value ObservationCallObserver#FAULT_CODE}).
 */
@AutoConfiguration(before = { ParleyServerAutoConfiguration.class, ParleyClientAutoConfiguration.class },
        afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
public final class ParleyObservationAutoConfiguration {

    /** Applied before the application's own customizers, which may replace the observer. */
    static final int ORDER = 0;

    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean(name = "parleyServerObservationCustomizer")
    ParleyServerCustomizer parleyServerObservationCustomizer(ObservationRegistry registry) {
        return (builder) -> builder.observer(
                new ObservationCallObserver(registry, ObservationCallObserver.SERVER_CALLS, "parley server"));
    }

    @Bean
    @Order(ORDER)
    @ConditionalOnMissingBean(name = "parleyClientObservationCustomizer")
    ParleyClientCustomizer parleyClientObservationCustomizer(ObservationRegistry registry) {
        return (builder) -> builder.observer(
                new ObservationCallObserver(registry, ObservationCallObserver.CLIENT_CALLS, "parley client"));
    }
}
