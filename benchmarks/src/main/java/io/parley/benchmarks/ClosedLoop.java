package io.parley.benchmarks;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Keeps N calls in flight against one system: N callers, each starting its next call when its
 * last one completes, timed from issue to completion into an HdrHistogram. After a warm-up, a
 * measured window counts the calls completed, their latencies and the bytes every thread of the
 * JVM allocated meanwhile.
 */
final class ClosedLoop {

    private final EchoSystem system;
    private final int payloadSize;
    private final Recorder latencies = new Recorder(3);
    private final LongAdder completed = new LongAdder();
    private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    private final CountDownLatch stopped;
    private volatile boolean stopping;

    private ClosedLoop(EchoSystem system, int payloadSize, int inFlight) {
        this.system = system;
        this.payloadSize = payloadSize;
        this.stopped = new CountDownLatch(inFlight);
    }

    /** What one measured window saw. */
    record Window(long calls, double seconds, Histogram latencyNanos, double allocatedBytesPerCall) {

        double callsPerSecond() {
            return calls / seconds;
        }
    }

    /**
     * Runs {@code inFlight} callers for {@code warmup}, then measures for {@code window}, then
     * stops them and waits for their last calls.
     */
    static Window run(EchoSystem system, int payloadSize, int inFlight, Duration warmup, Duration window) {
        ClosedLoop loop = new ClosedLoop(system, payloadSize, inFlight);
        for (int i = 0; i < inFlight; i++) {
            loop.new Caller().next();
        }
        try {
            pause(warmup);
            loop.check();
            loop.latencies.reset();
            Allocation allocation = Allocation.start();
            long callsBefore = loop.completed.sum();
            long start = System.nanoTime();
            pause(window);
            long callsAfter = loop.completed.sum();
            long end = System.nanoTime();
            Histogram histogram = loop.latencies.getIntervalHistogram();
            long allocated = allocation.allocatedSince();
            loop.check();
            long calls = callsAfter - callsBefore;
            return new Window(calls, (end - start) / 1e9, histogram,
                    calls == 0 ? Double.NaN : allocated / (double) calls);
        }
        finally {
            loop.stop();
        }
    }

    private void check() {
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException(system.name() + ": a call failed: " + error, error);
        }
    }

    private void stop() {
        stopping = true;
        try {
            if (!stopped.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(system.name() + ": calls still in flight 30 s after the window");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One of the N callers: a call at a time, the next one started from the last one's completion. */
    private final class Caller implements Done {

        private long issued;

        void next() {
            if (stopping) {
                stopped.countDown();
                return;
            }
            issued = System.nanoTime();
            system.call(payloadSize, this);
        }

        @Override
        public void ok() {
            latencies.recordValue(System.nanoTime() - issued);
            completed.increment();
            next();
        }

        @Override
        public void failed(Throwable error) {
            failure.compareAndSet(null, error);
            stopped.countDown();
        }
    }

    /**
     * The JVM's per-thread allocation counters. A window's allocation is the growth of each
     * thread's counter, plus the whole counter of threads born in the window; a thread that ends
     * within the window takes its last bytes with it, so the figure can be a little low, never
     * negative.
     */
    static final class Allocation {

        private static final com.sun.management.ThreadMXBean THREADS =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        private final Map<Long, Long> before = snapshot();

        private Allocation() {
        }

        static Allocation start() {
            return new Allocation();
        }

        long allocatedSince() {
            long sum = 0;
            for (Map.Entry<Long, Long> now : snapshot().entrySet()) {
                sum += now.getValue() - before.getOrDefault(now.getKey(), 0L);
            }
            return sum;
        }

        private static Map<Long, Long> snapshot() {
            long[] ids = THREADS.getAllThreadIds();
            long[] bytes = THREADS.getThreadAllocatedBytes(ids);
            Map<Long, Long> map = new HashMap<>();
            for (int i = 0; i < ids.length; i++) {
                if (bytes[i] >= 0) {
                    map.put(ids[i], bytes[i]);
                }
            }
            return map;
        }
    }
}
