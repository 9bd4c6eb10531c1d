package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.core.client.ParleyClient;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Mono;

/** The observation, metrics and health auto-configurations: when each applies, and what it adds. */
class ParleyObservabilityAutoConfigurationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ParleyServerAutoConfiguration.class, ParleyClientAutoConfiguration.class,
                ParleyObservationAutoConfiguration.class, ParleyMetricsAutoConfiguration.class,
                ParleyHealthAutoConfiguration.class))
        .withUserConfiguration(PingConfiguration.class)
        .withPropertyValues("parley.server.port=0", "parley.server.address=127.0.0.1");

    private final ApplicationContextRunner withMicrometer = this.runner.withConfiguration(AutoConfigurations.of(
            ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
            CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class));

    @Test
    void withoutMicrometer_thereAreNoObservationsOrMeters_butHealth() {
        this.runner.run((context) -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean("parleyServerObservationCustomizer");
            assertThat(context).doesNotHaveBean("parleyServerMeterBinder");
            assertThat(context).hasSingleBean(ParleyHealthIndicator.class);
        });
    }

    @Test
    void withMicrometer_everyCallIsTimed_byMethodAndStatus_onBothSides() {
        this.withMicrometer.run((context) -> {
            assertThat(context).hasBean("parleyServerObservationCustomizer").hasBean("parleyClientObservationCustomizer");
            assertThat(context.getBean(ParleyClient.class).call("ping", "x", String.class).block(TIMEOUT)).isEqualTo("pong");
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("parley.client.calls").tag("method", "ping").tag("status", "RPC_S_OK").timer().count())
                .isEqualTo(1);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (meters.find("parley.server.calls").tag("method", "ping").timer() == null) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(meters.get("parley.server.calls").tag("method", "ping").tag("status", "RPC_S_OK").timer().count())
                .isEqualTo(1);
            assertThat(meters.get(ParleyMetricsAutoConfiguration.CALLS_IN_FLIGHT).gauge().value()).isZero();
            assertThat(meters.get(ParleyMetricsAutoConfiguration.REPLIES_DROPPED).functionCounter().count()).isZero();
        });
    }

    @Test
    void observationsOff_whenTheApplicationReplacesTheObserver() {
        this.withMicrometer.withBean("silence", ParleyClientCustomizer.class,
                () -> (builder) -> builder.observer(io.parley.core.CallObserver.NONE))
            .run((context) -> {
                assertThat(context.getBean(ParleyClient.class).call("ping", "x", String.class).block(TIMEOUT)).isEqualTo("pong");
                assertThat(context.getBean(MeterRegistry.class).find("parley.client.calls").timer()).isNull();
            });
    }

    @Test
    void health_isUpWhileAccepting() {
        this.runner.run((context) -> assertThat(context.getBean(ParleyHealthIndicator.class).health(true).getStatus())
            .isEqualTo(Status.UP));
    }

    @Test
    void health_canBeSwitchedOff() {
        this.runner.withPropertyValues("management.health.parley.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(ParleyHealthIndicator.class));
    }

    @Test
    void withoutAServer_thereIsNoHealthIndicatorOrGauge() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ParleyServerAutoConfiguration.class, ParleyClientAutoConfiguration.class,
                    ParleyMetricsAutoConfiguration.class, ParleyHealthAutoConfiguration.class, MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
            .run((context) -> {
                assertThat(context).hasNotFailed();
                assertThat(context).doesNotHaveBean(ParleyHealthIndicator.class);
                assertThat(context).doesNotHaveBean("parleyServerMeterBinder");
            });
    }

    @ParleyService
    static class PingService {

        @ParleyMethod
        Mono<String> ping(String request) {
            return Mono.just("pong");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class PingConfiguration {

        @Bean
        PingService pingService() {
            return new PingService();
        }
    }
}
