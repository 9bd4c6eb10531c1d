package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

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
import org.springframework.core.Ordered;

import io.micrometer.core.instrument.MeterRegistry;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.client.ParleyClient;
import io.parley.core.observation.ClientCallObservationConvention;
import io.parley.core.observation.DefaultClientCallObservationConvention;
import io.parley.core.observation.ParleyObservations;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

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
            assertThat(context).doesNotHaveBean("parleyServerObservationInterceptor");
            assertThat(context).doesNotHaveBean("parleyServerMeterBinder");
            assertThat(context).doesNotHaveBean("parleyClientRetryCounter");
            assertThat(context).hasSingleBean(ParleyHealthIndicator.class);
        });
    }

    @Test
    void withMicrometer_everyCallIsTimed_byMethodAndStatus_onBothSides() {
        this.withMicrometer.run((context) -> {
            assertThat(context).hasBean("parleyServerObservationInterceptor").hasBean("parleyClientObservationInterceptor");
            assertThat(context.getBean(ParleyClient.class).call("ping", "x", String.class).block(TIMEOUT)).isEqualTo("pong");
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            assertThat(meters.get("parley.client.calls").tag("method", "ping").tag("status", "RPC_S_OK").timer().count())
                .isEqualTo(1);
            awaitTimer(meters, "parley.server.calls");
            assertThat(meters.get("parley.server.calls").tag("method", "ping").tag("status", "RPC_S_OK").timer().count())
                .isEqualTo(1);
            assertThat(meters.get(ParleyMetricsAutoConfiguration.CALLS_IN_FLIGHT).gauge().value()).isZero();
            assertThat(meters.get(ParleyMetricsAutoConfiguration.REPLIES_DROPPED).functionCounter().count()).isZero();
        });
    }

    @Test
    void observationsOff_byBootsObservationProperty() {
        this.withMicrometer.withPropertyValues("management.observations.enable.parley.client=false").run((context) -> {
            assertThat(context.getBean(ParleyClient.class).call("ping", "x", String.class).block(TIMEOUT)).isEqualTo("pong");
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            awaitTimer(meters, "parley.server.calls");
            assertThat(meters.find("parley.client.calls").timer()).isNull();
        });
    }

    @Test
    void applicationInterceptors_runInTheirOrder_afterTheObservation_onBothSides() {
        Queue<String> seen = new ConcurrentLinkedQueue<>();
        this.withMicrometer.withBean("second", ServerInterceptor.class, () -> new SeenServer(seen, "server second", 2))
            .withBean("first", ServerInterceptor.class, () -> new SeenServer(seen, "server first", 1))
            .withBean("clientSide", ClientInterceptor.class, () -> (call, ctx) -> {
                seen.add("client observed " + (ctx.getOrDefault(ParleyObservations.OBSERVATION_KEY, null) != null));
                return Mono.just(ctx);
            })
            .run((context) -> {
                assertThat(context.getBean(ParleyClient.class).call("ping", "x", String.class).block(TIMEOUT)).isEqualTo("pong");
                assertThat(seen).containsExactly("client observed true",
                        "server first observed true", "server second observed true");
            });
    }

    @Test
    void applicationConvention_replacesTheNames() {
        this.withMicrometer.withBean(ClientCallObservationConvention.class, () -> new DefaultClientCallObservationConvention() {
            @Override
            public String getName() {
                return "rpc.out";
            }
        }).run((context) -> {
            assertThat(context.getBean(ParleyClient.class).call("ping", "x", String.class).block(TIMEOUT)).isEqualTo("pong");
            assertThat(context.getBean(MeterRegistry.class).get("rpc.out").tag("method", "ping").timer().count()).isEqualTo(1);
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
                assertThat(context).as("the client's meter needs no server").hasBean("parleyClientRetryCounter");
            });
    }

    /** The server's timer of ping is made as its call ends, which may be just after the client has the reply. */
    private static void awaitTimer(MeterRegistry meters, String name) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (meters.find(name).tag("method", "ping").timer() == null) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    /** Records that it ran, and whether the call's observation was in its context. */
    private record SeenServer(Queue<String> seen, String name, int order) implements ServerInterceptor, Ordered {

        @Override
        public Mono<Context> intercept(ServerCallInfo call, Context context) {
            this.seen.add(this.name + " observed " + (context.getOrDefault(ParleyObservations.OBSERVATION_KEY, null) != null));
            return Mono.just(context);
        }

        @Override
        public int getOrder() {
            return this.order;
        }
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
