package io.parley.test;

import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits, on the test's own thread, for what a handler or an event loop hands over. Handlers must
 * not block (BlockHound fails them), so they put what the test reads into lock-free queues, and
 * the test polls with a deadline: a failure says what did not come, never a hang.
 *
 * <pre>{@code
 * Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
 * ServerMethod.async("hold", String.class, (request, call) -> held.add(call));
 * ...
 * AsyncCall<String> call = Await.next(held, "a call reaching the server");
 * }</pre>
 */
public final class Await {

    /** How long a test waits for one thing to happen: far beyond any healthy answer, short enough to fail fast. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /**
     * Takes the next element of a queue that another thread fills, waiting up to {@link #TIMEOUT}.
     *
     * @param queue the queue
     * @param what what is awaited, for the failure's message
     * @param <T> the element type
     * @return the element
     * @throws AssertionError if none came in time
     */
    public static <T> T next(Queue<T> queue, String what) {
        return next(queue, what, TIMEOUT);
    }

    /**
     * Takes the next element of a queue that another thread fills.
     *
     * @param queue the queue
     * @param what what is awaited, for the failure's message
     * @param timeout how long to wait
     * @param <T> the element type
     * @return the element
     * @throws AssertionError if none came in time
     */
    public static <T> T next(Queue<T> queue, String what, Duration timeout) {
        Objects.requireNonNull(queue, "queue");
        long deadline = System.nanoTime() + timeout.toNanos();
        T next;
        while ((next = queue.poll()) == null) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(50_000);
        }
        return next;
    }

    /**
     * Waits up to {@link #TIMEOUT} until a condition that another thread makes true holds.
     *
     * @param what what is awaited, for the failure's message
     * @param condition the condition
     * @throws AssertionError if it did not hold in time
     */
    public static void until(String what, BooleanSupplier condition) {
        until(what, condition, TIMEOUT);
    }

    /**
     * Waits until a condition that another thread makes true holds.
     *
     * @param what what is awaited, for the failure's message
     * @param condition the condition
     * @param timeout how long to wait
     * @throws AssertionError if it did not hold in time
     */
    public static void until(String what, BooleanSupplier condition, Duration timeout) {
        Objects.requireNonNull(condition, "condition");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(50_000);
        }
    }
}
