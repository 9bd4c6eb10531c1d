package io.parley.core.transport;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import reactor.core.publisher.Operators;

/**
 * The part of a {@link TransportCall} every transport needs: cancels made before the request is
 * out are recorded and applied when it is, then each passes straight through (gRPC-Java's
 * {@code DelayedStream} is the model). A transport extends it, sends the request in
 * {@link #send()}, calls {@link #sent()} once the request is on its way, and hands the
 * subscription of the replies to {@link #upstream(Subscription)}, which requests from it what the
 * call asked for in {@link #request}.
 *
 * <p>Reactor's lost-cancel race cannot happen here: the call is a plain object, not a chain of
 * operators whose own subscriptions could race with a cancel, and a cancel that comes before the
 * reply's subscription cancels that subscription as it arrives.
 */
public abstract class AbstractTransportCall implements TransportCall {

    /** Bit: cancelled abortively; a request not yet sent is never sent. */
    private static final int CANCELLED = 1;
    /** Bit: a graceful cancel was asked for. */
    private static final int GRACEFUL = 1 << 1;
    /** Bit: the request is on its way; whoever sets the second of this and GRACEFUL sends the notice. */
    private static final int SENT = 1 << 2;
    /** Bit: the graceful cancel is the deadline's: set with GRACEFUL, when that is the first graceful cancel. */
    private static final int DEADLINE = 1 << 3;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<AbstractTransportCall> STATE =
            AtomicIntegerFieldUpdater.newUpdater(AbstractTransportCall.class, "state");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<AbstractTransportCall, Subscription> UPSTREAM =
            AtomicReferenceFieldUpdater.newUpdater(AbstractTransportCall.class, Subscription.class, "upstream");
    @SuppressWarnings("rawtypes")
    private static final AtomicLongFieldUpdater<AbstractTransportCall> DEMAND =
            AtomicLongFieldUpdater.newUpdater(AbstractTransportCall.class, "demand");

    private volatile int state;
    private volatile @Nullable Subscription upstream;
    /** Replies asked for before the subscription of the replies was there. */
    private volatile long demand;
    private @Nullable Listener listener;

    /** For subclasses. */
    protected AbstractTransportCall() {
    }

    @Override
    public final void start(Listener listener) {
        this.listener = listener;
        send();
    }

    /**
     * Sends the request, now or once the connection is there; checks {@link #isCancelled()}
     * before it does, and calls {@link #sent()} after.
     */
    protected abstract void send();

    /** Tells the server that the call, whose request is out, is cancelled gracefully. */
    protected abstract void sendGracefulCancel();

    /** Stops whatever the call is waiting for before its request goes out (a connect, say). */
    protected void abandonSending() {
    }

    /** The listener given to {@link #start}. */
    protected final Listener listener() {
        Listener l = listener;
        if (l == null) {
            throw new IllegalStateException("the call has not started");
        }
        return l;
    }

    /** Whether the call was cancelled abortively: a request not yet sent must not be. */
    protected final boolean isCancelled() {
        return (state & CANCELLED) != 0;
    }

    /** The request is on its way: a graceful cancel asked for before goes out now, after it. */
    protected final void sent() {
        if ((addFlags(SENT) & GRACEFUL) != 0) {
            sendGracefulCancel();
        }
    }

    /**
     * The subscription of the call's replies: the demand asked for so far is requested from it,
     * and later demand passes straight through.
     *
     * @return {@code true} if it is the call's; {@code false} if the call was cancelled first, in
     *         which case it is cancelled here
     */
    protected final boolean upstream(Subscription subscription) {
        if (!Operators.setOnce(UPSTREAM, this, subscription)) {
            return false;
        }
        long n = DEMAND.getAndSet(this, 0L);
        if (n != 0) {
            subscription.request(n);
        }
        return true;
    }

    @Override
    public final void request(long n) {
        Subscription s = upstream;
        if (s == null) {
            Operators.addCap(DEMAND, this, n);
            // The subscription may have come between the read and the add: whoever takes the sum requests it.
            s = upstream;
            if (s == null) {
                return;
            }
            n = DEMAND.getAndSet(this, 0L);
            if (n == 0) {
                return;
            }
        }
        s.request(n);
    }

    @Override
    public final void cancel() {
        addFlags(CANCELLED);
        abandonSending();
        Operators.terminate(UPSTREAM, this);
    }

    @Override
    public final void cancelGracefully() {
        if ((addFlags(GRACEFUL) & (SENT | GRACEFUL)) == SENT) {
            sendGracefulCancel();
        }
    }

    @Override
    public final void deadlinePassed() {
        for (;;) {
            int s = state;
            if ((s & GRACEFUL) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, s | GRACEFUL | DEADLINE)) {
                if ((s & SENT) != 0) {
                    sendGracefulCancel();
                }
                return;
            }
        }
    }

    /** Whether the graceful notice to send is the deadline's ({@link #deadlinePassed()}) rather than the caller's. */
    protected final boolean isDeadlineNotice() {
        return (state & DEADLINE) != 0;
    }

    private int addFlags(int flags) {
        for (;;) {
            int s = state;
            if ((s & flags) == flags || STATE.compareAndSet(this, s, s | flags)) {
                return s;
            }
        }
    }
}
