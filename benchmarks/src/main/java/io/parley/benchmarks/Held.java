package io.parley.benchmarks;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;

/**
 * The server side of the held calls that the cancel and memory figures make: each system's
 * {@code hold} handler reports here when a call arrives and, with a timestamp taken first thing,
 * when it learns that the client cancelled. Waiting happens on the harness's thread, through the
 * futures; the handlers only complete them, so no event loop ever waits.
 */
final class Held {

    private final AtomicLong starts = new AtomicLong();
    private final AtomicLong cancels = new AtomicLong();
    private volatile long startTarget = Long.MAX_VALUE;
    private volatile long cancelTarget = Long.MAX_VALUE;
    private volatile @Nullable CompletableFuture<Void> startsReached;
    private volatile @Nullable CompletableFuture<Void> cancelsReached;
    private volatile @Nullable CompletableFuture<Long> nextCancel;

    /** A held call arrived at the server's handler. */
    void started() {
        if (starts.incrementAndGet() >= startTarget) {
            CompletableFuture<Void> reached = startsReached;
            if (reached != null) {
                reached.complete(null);
            }
        }
    }

    /** The server's handler learnt of the client's cancel, now. */
    void cancelled() {
        long now = System.nanoTime();
        CompletableFuture<Long> next = nextCancel;
        if (next != null) {
            next.complete(now);
        }
        if (cancels.incrementAndGet() >= cancelTarget) {
            CompletableFuture<Void> reached = cancelsReached;
            if (reached != null) {
                reached.complete(null);
            }
        }
    }

    /** Completes once {@code more} further calls have arrived. */
    CompletableFuture<Void> awaitStarts(long more) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        startsReached = reached;
        startTarget = starts.get() + more;
        if (starts.get() >= startTarget) {
            reached.complete(null);
        }
        return reached;
    }

    /** Completes once {@code more} further cancels have been seen. */
    CompletableFuture<Void> awaitCancels(long more) {
        CompletableFuture<Void> reached = new CompletableFuture<>();
        cancelsReached = reached;
        cancelTarget = cancels.get() + more;
        if (cancels.get() >= cancelTarget) {
            reached.complete(null);
        }
        return reached;
    }

    /** Completes with the {@link System#nanoTime()} at which the server sees the next cancel. */
    CompletableFuture<Long> nextCancel() {
        CompletableFuture<Long> next = new CompletableFuture<>();
        nextCancel = next;
        return next;
    }
}
