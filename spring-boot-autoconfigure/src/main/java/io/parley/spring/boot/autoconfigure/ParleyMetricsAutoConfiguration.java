package io.parley.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCallInfo;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.server.CancelCostListener;
import io.parley.core.server.ParleyServer;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Auto-configuration of Parley's meters. On the server: {@value #CALLS_IN_FLIGHT}, a gauge of the
 * calls in flight; {@value #CALLS_QUEUED}, a gauge of the calls waiting for a place under the
 * server's admission limit; {@value #REPLIES_DROPPED}, a counter of replies and items dropped
 * because their client had cancelled; and the cost of cancels ({@link CancelCostMeters}:
 * {@code parley.server.cancel.latency}, {@code parley.server.cancel.dropped}). On the client:
 * {@value #RETRIES}, a counter of calls sent again, tagged with the method and the status the
 * attempt before ended with, counted by a {@link ClientInterceptor} bean that the auto-configured
 * client runs. The call timers come from {@link ParleyObservationAutoConfiguration}.
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
@ConditionalOnBean(MeterRegistry.class)
public final class ParleyMetricsAutoConfiguration {

    /** The gauge of calls in flight on the server. */
    static final String CALLS_IN_FLIGHT = "parley.server.calls.in.flight";

    /** The gauge of calls waiting for a place under the server's admission limit. */
    static final String CALLS_QUEUED = "parley.server.calls.queued";

    /** The counter of replies dropped because the client had cancelled. */
    static final String REPLIES_DROPPED = "parley.server.replies.dropped";

    /** The counter of calls the client sent again. */
    static final String RETRIES = "parley.client.retries";

    @Bean
    @ConditionalOnBean(ParleyServerBootstrap.class)
    @ConditionalOnMissingBean(name = "parleyServerMeterBinder")
    MeterBinder parleyServerMeterBinder(ParleyServerBootstrap bootstrap) {
        return (registry) -> {
            Gauge.builder(CALLS_IN_FLIGHT, bootstrap, (b) -> {
                ParleyServer server = b.getServer();
                return (server != null) ? server.activeCalls() : 0;
            }).description("Calls dispatched to a handler and not yet ended or abandoned").register(registry);
            FunctionCounter.builder(REPLIES_DROPPED, bootstrap, (b) -> {
                ParleyServer server = b.getServer();
                return (server != null) ? server.droppedReplies() : 0;
            }).description("Replies and stream items not sent because the client had cancelled the call").register(registry);
            Gauge.builder(CALLS_QUEUED, bootstrap, (b) -> {
                ParleyServer server = b.getServer();
                return (server != null) ? server.queuedCalls() : 0;
            }).description("Calls waiting for a place under the server's admission limit").register(registry);
        };
    }

    @Bean
    @ConditionalOnBean(ParleyServerBootstrap.class)
    @ConditionalOnMissingBean
    CancelCostListener parleyCancelCostMeters(MeterRegistry registry) {
        return new CancelCostMeters(registry);
    }

    @Bean
    @ConditionalOnMissingBean(name = "parleyClientRetryCounter")
    ClientInterceptor parleyClientRetryCounter(MeterRegistry registry) {
        return new RetryCounter(registry);
    }

    /** Counts each retry of the client's calls; touches nothing else of a call. */
    static final class RetryCounter implements ClientInterceptor {

        private final MeterRegistry registry;

        RetryCounter(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Mono<Context> intercept(ClientCallInfo call, Context context) {
            return Mono.just(context);
        }

        @Override
        public void onRetry(ClientCallInfo call, RpcStatus cause, int attempt) {
            // The status takes a bounded set of values, as the call timers' does: an application's
            // fault code never causes a retry, but a transport could report one.
            Counter.builder(RETRIES)
                .description("Calls sent again: never sent, or idempotent and refused or cut off")
                .tag("method", call.method())
                .tag("status", cause.isWellKnown() ? cause.name() : "APPLICATION")
                .register(this.registry)
                .increment();
        }
    }
}
