package io.parley.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Waits, on the test's own thread, for what a handler or an event loop hands over. Handlers must
 * not block (BlockHound fails them), so they put what the test reads into lock-free queues, and
 * the test polls with a deadline: a failure says what did not come, never a hang.
 */
public final class Await {

    /** How long a test waits for one thing to happen. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private Await() {
    }

    /**
     * Takes the next element of a queue that another thread fills.
     *
     * @param queue the queue
     * @param what what is awaited, for the failure's message
     * @param <T> the element type
     * @return the element
     */
    public static <T> T next(Queue<T> queue, String what) {
        T next;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while ((next = queue.poll()) == null) {
            assertThat(System.nanoTime()).as("not within %s: %s", TIMEOUT, what).isLessThan(deadline);
            LockSupport.parkNanos(50_000);
        }
        return next;
    }

    /**
     * Waits until a condition that another thread makes true holds.
     *
     * @param what what is awaited, for the failure's message
     * @param condition the condition
     */
    public static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("not within %s: %s", TIMEOUT, what).isLessThan(deadline);
            LockSupport.parkNanos(50_000);
        }
    }
}
