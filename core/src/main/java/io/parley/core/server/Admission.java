package io.parley.core.server;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import reactor.core.scheduler.Schedulers;

/**
 * The server-wide limit on calls in flight, across connections, and its bounded wait queue: the
 * one place where a server that has all the calls it can take says so. A call is admitted as it
 * registers, after its connection's own limit; past the limit it waits in the queue, oldest
 * first, for at most {@link #maxWait} (or until its client leaves); past the queue it ends at once
 * with {@code RPC_S_SERVER_TOO_BUSY}, so that the server stays responsive and the client can go
 * elsewhere. A place is given back when its call leaves the server's books: it ended, or its
 * client left (a handler that goes on after its client left shows in the cancel metrics and the
 * inspector, not here).
 *
 * <p>A server without a limit has no {@code Admission}: its calls count nothing shared.
 */
final class Admission {

    private final int max;
    private final int maxQueued;
    private final Duration maxWait;
    /** Calls holding a place. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Calls in the queue that have not left it: dispatched from it, or ended while in it. */
    private final AtomicInteger queued = new AtomicInteger();
    private final Queue<ServerCall<?>> queue = new ConcurrentLinkedQueue<>();
    /** Serializes the hand-over of freed places to queued calls, so that it never recurses. */
    private final AtomicInteger wip = new AtomicInteger();

    Admission(int max, int maxQueued, Duration maxWait) {
        this.max = max;
        this.maxQueued = maxQueued;
        this.maxWait = maxWait;
    }

    int max() {
        return max;
    }

    int maxQueued() {
        return maxQueued;
    }

    /** Places free now. */
    int available() {
        return Math.max(0, max - inFlight.get());
    }

    int inFlight() {
        return inFlight.get();
    }

    int queued() {
        return queued.get();
    }

    /**
     * Admits a registered call: true if it has a place and is to be dispatched now; false if it
     * waits in the queue (dispatched later, by {@link #release}) or was refused (ended here).
     */
    boolean admit(ServerCall<?> call) {
        if (takePlace()) {
            call.admitted();
            return true;
        }
        if (!takeQueueSlot()) {
            call.refuseBusy(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "the server has " + max
                    + " calls in flight and " + maxQueued + " waiting, its limits"));
            return false;
        }
        call.queued();
        // The wait's bound is set before the call can be taken from the queue, whose taker starts its deadline's.
        call.waitAtMost(Schedulers.parallel().schedule(() -> call.waitOver(new RpcFault(RpcStatus.SERVER_TOO_BUSY,
                "the call waited " + maxWait.toMillis() + " ms for one of the server's " + max + " places")),
                maxWait.toNanos(), TimeUnit.NANOSECONDS));
        queue.offer(call);
        // A place freed between the check and the offer would otherwise wait for the next one.
        handOver();
        return false;
    }

    /** A call holding a place left the books: its place goes to the oldest queued call, if any. */
    void release() {
        inFlight.decrementAndGet();
        handOver();
    }

    /** A queued call ended before it had a place. */
    void leftQueue() {
        queued.decrementAndGet();
    }

    private boolean takePlace() {
        return incrementBelow(inFlight, max);
    }

    private boolean takeQueueSlot() {
        return incrementBelow(queued, maxQueued);
    }

    /** Adds one to the counter if it stays within the bound; false, unchanged, if it would not. */
    private static boolean incrementBelow(AtomicInteger counter, int bound) {
        for (;;) {
            int n = counter.get();
            if (n >= bound) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * Gives free places to queued calls, oldest first. One thread at a time does it, in a loop,
     * so that a call dispatched here whose handler ends at once frees its place to this loop
     * instead of recursing into it.
     */
    private void handOver() {
        if (queue.isEmpty() || wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            while (!queue.isEmpty() && takePlace()) {
                ServerCall<?> next = queue.poll();
                if (next == null) {
                    inFlight.decrementAndGet();
                    break;
                }
                if (next.admitFromQueue()) {
                    queued.decrementAndGet();
                    next.dispatchAdmitted();
                }
                else {
                    // Ended while it waited (its client left, its wait ran out): its end counted it out.
                    inFlight.decrementAndGet();
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }
}
