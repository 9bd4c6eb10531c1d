package io.parley.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.HdrHistogram.Histogram;

/** The cancel figures, of calls and of streams, and the memory figure: each taken one system at a time from the harness's thread. */
final class Probes {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Probes() {
    }

    /**
     * Cancel propagation: one call at a time, held by the server; once the server has it, the
     * client cancels it; the time from just before the client's cancel to the server's handler
     * learning of it. Both clocks are this JVM's {@link System#nanoTime()}.
     *
     * @param warmup samples taken first and not kept
     * @param samples samples kept
     * @return the kept samples, in nanoseconds
     */
    static Histogram cancel(EchoSystem system, int warmup, int samples) throws Exception {
        Held held = system.held();
        Histogram histogram = new Histogram(3);
        for (int i = 0; i < warmup + samples; i++) {
            CompletableFuture<Void> started = held.awaitStarts(1);
            Runnable cancel = system.hold();
            await(started, system.name() + ": a held call did not reach the server");
            CompletableFuture<Long> seen = held.nextCancel();
            long cancelled = System.nanoTime();
            cancel.run();
            long learnt = await(seen, system.name() + ": the server did not see a cancel");
            if (i >= warmup) {
                histogram.recordValue(Math.max(0, learnt - cancelled));
            }
        }
        return histogram;
    }

    /**
     * Cancel propagation of a server stream while its items flow: one stream at a time of 64-byte
     * items, the client asking in batches; once a batch has arrived, the client cancels it, and
     * the figure is the time from just before the cancel to the server's stream handler learning
     * of it, on this JVM's {@link System#nanoTime()}. The client goes on asking until it cancels,
     * so the cancel meets a server that is sending, or about to.
     *
     * @param batch the client's batch, as in the throughput windows
     * @param warmup samples taken first and not kept
     * @param samples samples kept, unless {@code limit} runs out first
     * @param limit how long the kept samples may take: a system whose streams are slow to start
     *        or to stop gives fewer samples (the report says how many) rather than stretch the run
     * @return the kept samples, in nanoseconds
     */
    static Histogram streamCancel(EchoSystem system, int batch, int warmup, int samples, Duration limit) throws Exception {
        Held held = system.streamed();
        Histogram histogram = new Histogram(3);
        long deadline = Long.MAX_VALUE;
        for (int i = 0; i < warmup + samples && System.nanoTime() < deadline; i++) {
            if (i == warmup) {
                deadline = System.nanoTime() + limit.toNanos();
            }
            StreamLoop.Flowing flowing = new StreamLoop.Flowing(batch);
            Runnable cancel = system.stream(64, batch, flowing);
            await(flowing.reached, system.name() + ": a stream did not deliver its first " + batch + " items");
            CompletableFuture<Long> seen = held.nextCancel();
            long cancelled = System.nanoTime();
            cancel.run();
            long learnt = await(seen, system.name() + ": the server's stream handler did not see a cancel");
            if (i >= warmup) {
                histogram.recordValue(Math.max(0, learnt - cancelled));
            }
        }
        return histogram;
    }

    /**
     * The limit for cancel propagation: a small frame written from the harness's thread, as a
     * cancel is, until the server's handler reads it.
     */
    static Histogram oneWay(NettySystem netty, int warmup, int samples) throws Exception {
        Histogram histogram = new Histogram(3);
        for (int i = 0; i < warmup + samples; i++) {
            long written = System.nanoTime();
            long read = await(netty.oneWay(), "raw Netty: the server did not read a one-way frame");
            if (i >= warmup) {
                histogram.recordValue(Math.max(0, read - written));
            }
        }
        return histogram;
    }

    /**
     * Heap per pending call: the heap in use after full collections, before and while
     * {@code pending} calls are held by the server on the one connection, divided by
     * {@code pending}. Counts client and server together, as both live in this JVM. The calls are
     * cancelled afterwards.
     */
    static double memory(EchoSystem system, int pending) throws Exception {
        Held held = system.held();
        Runnable[] cancels = new Runnable[pending];
        long before = heapAfterGc();
        CompletableFuture<Void> all = held.awaitStarts(pending);
        for (int i = 0; i < pending; i++) {
            cancels[i] = system.hold();
        }
        await(all, Duration.ofMinutes(2), system.name() + ": not all " + pending + " held calls reached the server");
        long during = heapAfterGc();
        CompletableFuture<Void> gone = held.awaitCancels(pending);
        for (Runnable cancel : cancels) {
            cancel.run();
        }
        await(gone, Duration.ofMinutes(2), system.name() + ": the server did not see every cancel");
        return (during - before) / (double) pending;
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static <T> T await(CompletableFuture<T> future, String what) throws Exception {
        return await(future, TIMEOUT, what);
    }

    private static <T> T await(CompletableFuture<T> future, Duration timeout, String what) throws Exception {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException e) {
            throw new IllegalStateException(what + " within " + timeout, e);
        }
        catch (ExecutionException e) {
            throw new IllegalStateException(what + ": " + e.getCause(), e.getCause());
        }
    }
}
