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
 * CPUs stay free for the transports; capacity a little under 1e6 / {@value #WORK_MICROS} calls/s —
 * is offered twice its nominal capacity, open loop (calls start on a clock, whatever happened to the earlier ones),
 * over RSocket TCP on loopback. Once with the server-wide admission limit
 * ({@code maxCallsInFlight(8, 8, 100 ms)}), once without: with the limit the calls past it are
 * refused at once with {@code RPC_S_SERVER_TOO_BUSY} and those served keep their latency; without
 * it every call waits its turn at the worker, and the wait grows for as long as the overload lasts.
 */
final class Overload {

    static final int WORK_MICROS = 250;
    static final int LIMIT = 8;
    static final int QUEUE = 8;
    static final Duration MAX_WAIT = Duration.ofMillis(100);

    /** One mode's window. */
    record Result(String mode, double offeredPerSecond, double servedPerSecond, double refusedPerSecond,
            double otherPerSecond, double servedP50Ms, double servedP99Ms, double servedMaxMs, double refusedP99Ms,
            long stillPending) {
    }

    private Overload() {
    }

    /** Capacity, then both modes; each mode warms up, then measures. */
    static List<Result> run(Duration warmup, Duration measure) {
        double capacity = 1e6 / WORK_MICROS;
        double offered = 2 * capacity;
        List<Result> results = new ArrayList<>();
        results.add(mode("admission limit " + LIMIT + " + queue " + QUEUE, true, offered, warmup, measure));
        results.add(mode("no limit", false, offered, warmup, measure));
        return results;
    }

    private static Result mode(String name, boolean limited, double perSecond, Duration warmup, Duration measure) {
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
            // Warmed below capacity, so that the measured window starts without a backlog.
            Window warm = offer(client, perSecond / 4, warmup);
            warm.stop();
            Window window = offer(client, perSecond, measure);
            long pending = window.stop();
            double seconds = measure.toNanos() / 1e9;
            Histogram served = window.served.getIntervalHistogram();
            Histogram refused = window.refused.getIntervalHistogram();
            Result result = new Result(name, window.offered.get() / seconds, served.getTotalCount() / seconds,
                    refused.getTotalCount() / seconds, window.other.sum() / seconds,
                    served.getValueAtPercentile(50) / 1e3, served.getValueAtPercentile(99) / 1e3, served.getMaxValue() / 1e3,
                    refused.getValueAtPercentile(99) / 1e3, pending);
            Bench.log("  overload %-28s offered %7.0f/s  served %7.0f/s  refused %7.0f/s  served p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  refused p99 %6.2f ms",
                    name, result.offeredPerSecond(), result.servedPerSecond(), result.refusedPerSecond(), result.servedP50Ms(),
                    result.servedP99Ms(), result.servedMaxMs(), result.refusedP99Ms());
            return result;
        }
        finally {
            client.dispose();
            server.dispose();
            worker.dispose();
        }
    }

    /** The calls of one window, and how they ended; calls are counted in the window they started in. */
    private static final class Window {
        final Recorder served = new Recorder(3);
        final Recorder refused = new Recorder(3);
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
        long start = System.nanoTime();
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
                        w.refused.recordValue((System.nanoTime() - issued) / 1000);
                    }
                    else {
                        w.other.increment();
                    }
                    w.ended.incrementAndGet();
                }, () -> {
                    w.served.recordValue((System.nanoTime() - issued) / 1000);
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
        md.append(String.format(Locale.ROOT, "A handler that holds the one thread of a downstream resource for %d µs, parked (nominal capacity %.0f calls/s), "
                + "offered twice that, open loop, over RSocket TCP on loopback, without pinning; calls counted in the window they "
                + "started in, latency from issue to end (HdrHistogram, µs resolution). Limit: `maxCallsInFlight(%d, %d, %d ms)`.%n%n",
                WORK_MICROS, 1e6 / WORK_MICROS, LIMIT, QUEUE, MAX_WAIT.toMillis()));
        md.append("| mode | offered/s | served/s | refused (TOO_BUSY)/s | other/s | served p50 ms | served p99 ms | served max ms | refused p99 ms | not ended 30 s after |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %d |%n", r.mode(),
                    r.offeredPerSecond(), r.servedPerSecond(), r.refusedPerSecond(), r.otherPerSecond(), r.servedP50Ms(),
                    r.servedP99Ms(), r.servedMaxMs(), r.refusedP99Ms(), r.stillPending()));
        }
        md.append('\n');
        return md.toString();
    }
}
