package io.parley.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Admission under overload: a server whose handler needs the one thread of a downstream resource
 * (a database connection, say) for {@value #WORK_MICROS} µs — parked, not spinning, so that the
 * CPUs stay free for the transports — has its capacity measured in a closed loop, then is offered
 * twice that, open loop (calls start on a clock, whatever happened to the earlier ones), over
 * RSocket TCP on loopback. Once with the server-wide admission limit
 * ({@code maxCallsInFlight(8, 8, 100 ms)}), once without: with the limit the calls past it are
 * refused with {@code RPC_S_SERVER_TOO_BUSY} and those served keep their latency; without it every
 * call waits its turn at the worker, and the wait grows for as long as the overload lasts.
 */
final class Overload {

    static final int WORK_MICROS = 250;
    static final int LIMIT = 8;
    static final int QUEUE = 8;
    static final Duration MAX_WAIT = Duration.ofMillis(100);

    /**
     * One mode's window. Calls are those offered during the window; served/s is how many of them
     * were served per second of the time from the window's start to the last one's end (a server
     * that falls behind serves its backlog after the window), refused/s per second of the window.
     */
    record Result(String mode, double capacityPerSecond, double offeredPerSecond, double servedPerSecond,
            double refusedAtOncePerSecond, double refusedAfterWaitPerSecond, double otherPerSecond,
            double servedP50Ms, double servedP99Ms, double servedMaxMs, double refusedAtOnceP50Ms, double refusedAtOnceP99Ms,
            long stillPending) {

        double refusedPerSecond() {
            return refusedAtOncePerSecond + refusedAfterWaitPerSecond;
        }
    }

    private Overload() {
    }

    /** The server's capacity measured, then both modes offered twice it; each mode warms up, then measures. */
    static List<Result> run(Duration warmup, Duration measure) {
        double capacity = mode("capacity", false, 0, warmup, measure).servedPerSecond();
        Bench.log("  overload capacity: %.0f calls/s (closed loop, %d callers)", capacity, LIMIT + QUEUE);
        List<Result> results = new ArrayList<>();
        results.add(mode("admission limit " + LIMIT + " + queue " + QUEUE, true, capacity, warmup, measure));
        results.add(mode("no limit", false, capacity, warmup, measure));
        return results;
    }

    /** A mode's run; a capacity of 0 measures the capacity, in a closed loop. */
    private static Result mode(String name, boolean limited, double capacity, Duration warmup, Duration measure) {
        // A thread that may block, one, with a queue without bound: the resource the calls wait for.
        Scheduler worker = Schedulers.newBoundedElastic(1, Integer.MAX_VALUE, "overload-worker");
        ParleyServer.Builder builder = ParleyServer.builder()
                .method(ServerMethod.<Integer, Integer>mono("work", Integer.class, (request, call) ->
                        Mono.fromCallable(() -> work(request)).subscribeOn(worker)))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0));
        if (limited) {
            builder.maxCallsInFlight(LIMIT, QUEUE, MAX_WAIT);
        }
        ParleyServer server = builder.bindNow();
        String address = server.address();
        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1))))
                .build();
        try {
            client.call("work", 1, Integer.class).block(Duration.ofSeconds(10));
            if (capacity == 0) {
                return closedLoop(client, warmup, measure);
            }
            double perSecond = 2 * capacity;
            // Warmed below capacity, so that the measured window starts without a backlog.
            Window warm = offer(client, capacity / 2, warmup);
            warm.stop();
            Window window = offer(client, perSecond, measure);
            long pending = window.stop();
            double seconds = measure.toNanos() / 1e9;
            double servingSeconds = Math.max(seconds, (window.lastServed.get() - window.start) / 1e9);
            Histogram served = window.served.getIntervalHistogram();
            Histogram refused = window.refused.getIntervalHistogram();
            Result result = new Result(name, capacity, window.offered.get() / seconds, served.getTotalCount() / servingSeconds,
                    refused.getTotalCount() / seconds, window.refusedAfterWait.sum() / seconds, window.other.sum() / seconds,
                    served.getValueAtPercentile(50) / 1e3, served.getValueAtPercentile(99) / 1e3, served.getMaxValue() / 1e3,
                    refused.getValueAtPercentile(50) / 1e3, refused.getValueAtPercentile(99) / 1e3, pending);
            Bench.log("  overload %-28s offered %7.0f/s  served %7.0f/s  refused %7.0f/s at once, %6.0f/s after waiting  served p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  refused at once p50 %6.2f p99 %6.2f ms",
                    name, result.offeredPerSecond(), result.servedPerSecond(), result.refusedAtOncePerSecond(),
                    result.refusedAfterWaitPerSecond(), result.servedP50Ms(), result.servedP99Ms(), result.servedMaxMs(),
                    result.refusedAtOnceP50Ms(), result.refusedAtOnceP99Ms());
            return result;
        }
        finally {
            client.dispose();
            server.dispose();
            worker.dispose();
        }
    }

    /** Calls served per second by {@code LIMIT + QUEUE} callers in a closed loop: what the server can do. */
    private static Result closedLoop(ParleyClient client, Duration warmup, Duration measure) {
        AtomicLong served = new AtomicLong();
        long[] until = {System.nanoTime() + warmup.toNanos() + measure.toNanos()};
        long measureFrom = System.nanoTime() + warmup.toNanos();
        AtomicLong counted = new AtomicLong();
        Flux.range(0, LIMIT + QUEUE)
                .flatMap(caller -> Flux.defer(() -> client.call("work", WORK_MICROS, Integer.class)
                                .doOnNext(reply -> {
                                    if (System.nanoTime() >= measureFrom) {
                                        counted.incrementAndGet();
                                    }
                                    served.incrementAndGet();
                                }))
                        .repeat(() -> System.nanoTime() < until[0]), LIMIT + QUEUE)
                .blockLast(warmup.plus(measure).plusSeconds(30));
        double perSecond = counted.get() / (measure.toNanos() / 1e9);
        return new Result("capacity", perSecond, 0, perSecond, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** The calls of one window, and how they ended; calls are counted in the window they started in. */
    private static final class Window {
        final long start = System.nanoTime();
        final Recorder served = new Recorder(3);
        final Recorder refused = new Recorder(3);
        final LongAdder refusedAfterWait = new LongAdder();
        final AtomicLong lastServed = new AtomicLong();
        final LongAdder other = new LongAdder();
        final AtomicLong offered = new AtomicLong();
        final AtomicLong ended = new AtomicLong();
        Disposable clock;

        /** Stops offering and waits for the window's calls to end, at most 30 s; returns those that did not. */
        long stop() {
            clock.dispose();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ended.get() < offered.get() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            return offered.get() - ended.get();
        }
    }

    /** Offers calls at the rate for the duration: every millisecond, the calls due by then. */
    private static Window offer(ParleyClient client, double perSecond, Duration duration) {
        Window w = new Window();
        long start = w.start;
        long end = start + duration.toNanos();
        w.clock = Flux.interval(Duration.ofMillis(1), Schedulers.single()).subscribe(tick -> {
            long now = System.nanoTime();
            if (now >= end) {
                return;
            }
            long due = (long) ((now - start) / 1e9 * perSecond);
            while (w.offered.get() < due) {
                w.offered.incrementAndGet();
                long issued = System.nanoTime();
                client.call("work", WORK_MICROS, Integer.class).subscribe(reply -> { }, error -> {
                    if (error instanceof RpcFault fault && fault.status() == RpcStatus.SERVER_TOO_BUSY) {
                        if (String.valueOf(fault.getMessage()).contains("waited")) {
                            w.refusedAfterWait.increment();
                        }
                        else {
                            w.refused.recordValue((System.nanoTime() - issued) / 1000);
                        }
                    }
                    else {
                        w.other.increment();
                    }
                    w.ended.incrementAndGet();
                }, () -> {
                    long ended = System.nanoTime();
                    w.served.recordValue((ended - issued) / 1000);
                    w.lastServed.accumulateAndGet(ended, Math::max);
                    w.ended.incrementAndGet();
                });
            }
        });
        long deadline = end;
        while (System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return w;
    }

    /** Holds the worker for the given microseconds without using a CPU. */
    private static int work(int micros) {
        LockSupport.parkNanos(micros * 1000L);
        return micros;
    }

    static String markdown(List<Result> results) {
        StringBuilder md = new StringBuilder();
        md.append("## Admission under overload\n\n");
        double capacity = results.isEmpty() ? 0 : results.get(0).capacityPerSecond();
        md.append(String.format(Locale.ROOT, "A handler that holds the one thread of a downstream resource for %d µs, parked; "
                + "the server's capacity measured first with %d callers in a closed loop: %.0f calls/s. Then each mode is offered "
                + "twice that, open loop (calls start on the clock, whatever became of the earlier ones), over RSocket TCP on "
                + "loopback, without pinning. Calls are those started in the window; served/s is over the time until the last of "
                + "them was served (a server that falls behind serves its backlog after the window); latency from issue to end. "
                + "Limit: `maxCallsInFlight(%d, %d, %d ms)`.%n%n",
                WORK_MICROS, LIMIT + QUEUE, capacity, LIMIT, QUEUE, MAX_WAIT.toMillis()));
        md.append("| mode | offered/s | served/s | refused at once/s | refused after waiting/s | other/s | served p50 ms | served p99 ms | served max ms | refused at once p50 / p99 ms | not ended 30 s after |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f / %.2f | %d |%n", r.mode(),
                    r.offeredPerSecond(), r.servedPerSecond(), r.refusedAtOncePerSecond(), r.refusedAfterWaitPerSecond(),
                    r.otherPerSecond(), r.servedP50Ms(), r.servedP99Ms(), r.servedMaxMs(), r.refusedAtOnceP50Ms(), r.refusedAtOnceP99Ms(), r.stillPending()));
        }
        md.append('\n');
        return md.toString();
    }
}
