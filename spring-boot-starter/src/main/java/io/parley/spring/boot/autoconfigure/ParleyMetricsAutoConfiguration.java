package io.parley.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.parley.core.server.CancelCostListener;
import io.parley.core.server.ParleyServer;

/**
 * Auto-configuration of the Parley server's meters: {@value #CALLS_IN_FLIGHT}, a gauge of the
 * calls in flight; {@value #CALLS_QUEUED}, a gauge of the calls waiting for a place under the
 * server's admission limit; {@value #REPLIES_DROPPED}, a counter of replies and items dropped
 * because their client had cancelled; and the cost of cancels ({@link CancelCostMeters}:
 * {@code parley.server.cancel.latency}, {@code parley.server.cancel.dropped}). The call timers
 * come from {@link ParleyObservationAutoConfiguration}.
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
@ConditionalOnBean({ MeterRegistry.class, ParleyServerBootstrap.class })
public final class ParleyMetricsAutoConfiguration {

    /** The gauge of calls in flight on the server. */
    static final String CALLS_IN_FLIGHT = "parley.server.calls.in.flight";

    /** The gauge of calls waiting for a place under the server's admission limit. */
    static final String CALLS_QUEUED = "parley.server.calls.queued";

    /** The counter of replies dropped because the client had cancelled. */
    static final String REPLIES_DROPPED = "parley.server.replies.dropped";

    @Bean
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
    @ConditionalOnMissingBean
    CancelCostListener parleyCancelCostMeters(MeterRegistry registry) {
        return new CancelCostMeters(registry);
    }
}
