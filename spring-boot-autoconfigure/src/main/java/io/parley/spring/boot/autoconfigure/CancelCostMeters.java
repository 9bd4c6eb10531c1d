package io.parley.spring.boot.autoconfigure;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.core.CancelReason;
import io.parley.core.server.CancelCostListener;
import io.parley.core.server.ServerCallInfo;

/**
 * The cost of cancels as Micrometer meters: {@value #LATENCY}, a timer with a histogram of the
 * time from a client's cancel reaching the server to the call's end, tagged {@code method},
 * {@code reason} and {@code ended.by} ({@code handler}, {@code cancel_signal}, {@code server});
 * and {@value #DROPPED}, a counter of the replies and stream items produced after the client left,
 * tagged {@code method}. Method names are the server's own, so the tags stay bounded.
 */
final class CancelCostMeters implements CancelCostListener {

    /** The timer from a client's cancel to the call's end. */
    static final String LATENCY = "parley.server.cancel.latency";

    /** The counter of replies and items dropped because the client had left. */
    static final String DROPPED = "parley.server.cancel.dropped";

    private final MeterRegistry registry;
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();

    CancelCostMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void ended(ServerCallInfo call, CancelReason reason, long nanosAfterCancel, Ending ending) {
        String method = call.method();
        String key = method + '\u0000' + reason.tagValue() + '\u0000' + ending.tagValue();
        timers.computeIfAbsent(key, (k) -> Timer.builder(LATENCY)
            .description("Time from a client's cancel reaching the server to the end of the call")
            .tag("method", method)
            .tag("reason", reason.tagValue())
            .tag("ended.by", ending.tagValue())
            .publishPercentileHistogram()
            .register(this.registry)).record(nanosAfterCancel, TimeUnit.NANOSECONDS);
    }

    @Override
    public void dropped(ServerCallInfo call) {
        String method = call.method();
        counters.computeIfAbsent(method, (m) -> Counter.builder(DROPPED)
            .description("Replies and stream items a handler produced after its client had left, dropped")
            .tag("method", m)
            .register(this.registry)).increment();
    }
}
