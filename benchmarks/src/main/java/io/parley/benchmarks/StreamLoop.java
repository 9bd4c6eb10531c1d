package io.parley.benchmarks;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import org.jspecify.annotations.Nullable;

/**
 * Reads one long server stream of one system: the client asks for items in batches; after a
 * warm-up, a measured window counts the items that reached the client's subscriber and the bytes
 * every thread of the JVM allocated meanwhile. Then the client cancels the stream, and the
 * server's handler has to learn of it before the next window.
 */
final class StreamLoop implements Items {

    private static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(10);

    private final LongAdder received = new LongAdder();
    private final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();

    private StreamLoop() {
    }

    /** What one measured window saw. */
    record Window(long items, double seconds, double allocatedBytesPerItem) {

        double itemsPerSecond() {
            return items / seconds;
        }
    }

    /**
     * Opens a stream of items of {@code payloadSize} bytes, reads it for {@code warmup}, then
     * counts for {@code window}, then cancels it and waits until the server's handler has seen
     * the cancel.
     */
    static Window run(EchoSystem system, int payloadSize, int batch, Duration warmup, Duration window) {
        StreamLoop loop = new StreamLoop();
        Held held = system.streamed();
        Runnable cancel = system.stream(payloadSize, batch, loop);
        Window measured;
        try {
            ClosedLoop.pause(warmup);
            loop.checkFailure(system);
            ClosedLoop.Allocation allocation = ClosedLoop.Allocation.start();
            long before = loop.received.sum();
            long start = System.nanoTime();
            ClosedLoop.pause(window);
            long after = loop.received.sum();
            long end = System.nanoTime();
            long allocated = allocation.allocatedSince();
            loop.checkFailure(system);
            long items = after - before;
            measured = new Window(items, (end - start) / 1e9, items == 0 ? Double.NaN : allocated / (double) items);
        }
        catch (RuntimeException | Error e) {
            cancel.run();
            throw e;
        }
        CompletableFuture<Long> seen = held.nextCancel();
        cancel.run();
        try {
            seen.get(CANCEL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException e) {
            throw new IllegalStateException(system.name() + ": the server's stream handler did not learn of the cancel within "
                    + CANCEL_TIMEOUT, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return measured;
    }

    private void checkFailure(EchoSystem system) {
        Throwable error = failure.get();
        if (error != null) {
            throw new IllegalStateException(system.name() + ": the stream failed: " + error, error);
        }
    }

    @Override
    public void item() {
        received.increment();
    }

    @Override
    public void failed(Throwable error) {
        failure.compareAndSet(null, error);
    }

    /**
     * A stream's client side that tells, once, when {@code count} items have arrived: the stream
     * is flowing, its server sending as the client asks.
     */
    static final class Flowing implements Items {

        final CompletableFuture<Void> reached = new CompletableFuture<>();
        private final int count;
        private int received;

        Flowing(int count) {
            this.count = count;
        }

        @Override
        public void item() {
            if (++received == count) {
                reached.complete(null);
            }
        }

        @Override
        public void failed(Throwable error) {
            reached.completeExceptionally(error);
        }
    }
}
