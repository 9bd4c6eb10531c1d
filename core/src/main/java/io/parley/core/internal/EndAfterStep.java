package io.parley.core.internal;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;

/**
 * Holds a call's end back from its interceptors while one of them is in its step (its
 * {@code intercept} runs, or its {@code Mono} is awaited), so that an interceptor hears the end
 * only once what it returned is the call's context: what it started there, it finds at the end.
 * The server's call and the client's intercepted call each keep one.
 *
 * <p>A step is entered before the caller reads whether the call has ended, and the end is
 * recorded before it is offered here: one of the two always sees the other.
 */
public final class EndAfterStep {

    private static final int RUNNING = 1;
    private static final int PENDING = 2;

    private static final AtomicIntegerFieldUpdater<EndAfterStep> STEP =
            AtomicIntegerFieldUpdater.newUpdater(EndAfterStep.class, "step");
    private static final AtomicReferenceFieldUpdater<EndAfterStep, RpcStatus> STATUS =
            AtomicReferenceFieldUpdater.newUpdater(EndAfterStep.class, RpcStatus.class, "status");

    private volatile int step;
    private volatile @Nullable RpcStatus status;

    /** A step begins. */
    public void enter() {
        STEP.set(this, RUNNING);
    }

    /**
     * The step is over (done, failed, or its wait cancelled).
     *
     * @return the end to tell now, if it came during the step; {@code null} otherwise
     */
    public @Nullable RpcStatus leave() {
        return (STEP.getAndSet(this, 0) & PENDING) != 0 ? STATUS.getAndSet(this, null) : null;
    }

    /**
     * The call ended.
     *
     * @param end its final status
     * @return the end to tell now; {@code null} if a step is under way, whose {@link #leave()} returns it
     */
    public @Nullable RpcStatus end(RpcStatus end) {
        status = end;
        for (;;) {
            int s = step;
            if ((s & RUNNING) == 0) {
                return STATUS.getAndSet(this, null);
            }
            if (STEP.compareAndSet(this, s, s | PENDING)) {
                return null;
            }
        }
    }
}
