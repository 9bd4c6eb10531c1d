package io.parley.core.client;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.jspecify.annotations.Nullable;

import io.parley.core.CallShape;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Schedulers;

/**
 * The transport handle of a call that may be sent more than once, and the one place where calls
 * are retried: one attempt at a time, each a fresh handle from the connection
 * ({@link ParleyClient#transportCall}), so a balanced connection picks a server again. When an
 * attempt ends in a way that allows it, the call waits out a backoff and makes the next; the
 * call's state machine above sees one handle and, in the end, one outcome.
 *
 * <p>What allows a retry, within the {@link RetryPolicy}'s attempts and while the call has not
 * been cancelled:
 * <ul>
 * <li>the transport reports the attempt never left the client ({@link Listener#onNotSent}), and no
 *     reply or item has reached the caller; for a client stream or a channel, also its requests
 *     not yet subscribed to;</li>
 * <li>a unary call or a server stream declared idempotent ends with {@code RPC_S_SERVER_TOO_BUSY},
 *     {@code RPC_S_SERVER_UNAVAILABLE} or {@code RPC_S_COMM_FAILURE} before a reply or item has
 *     reached the caller.</li>
 * </ul>
 * and a retry is made only if what remains of the call's timeout, as sent with the first attempt,
 * is longer than the backoff; otherwise the last fault stands.
 *
 * <p>Between attempts nothing is on any server. An abortive cancel then sends nothing more (the
 * call has already ended with {@code RPC_S_CALL_CANCELLED} above). A graceful cancel then has no
 * server to tell and no server's end to wait for, so it ends the call at once with
 * {@code RPC_S_CALL_CANCELLED}; the graceful bound of the timeout passing then ends it with the
 * last attempt's fault. After either, the call is never sent again.
 *
 * <p>Each later attempt carries what remains of the timeout and a duplicate of the request's bytes
 * cut from the window they had when the call was made, so a transport that moved the buffer's
 * position leaves them whole. The interceptors ran once, before the first attempt; their metadata
 * and credentials are in the request every attempt sends, and they are told of each retry
 * ({@link ClientInterceptor#onRetry}).
 */
final class Retrying implements TransportCall, TransportCall.Listener {

    /** Bit: cancelled abortively; nothing more is sent. */
    private static final int CANCELLED = 1;
    /** Bit: cancelled gracefully, or the graceful bound passed; the call is not sent again. */
    private static final int GRACEFUL = 1 << 1;
    /** Bit: set with GRACEFUL when the graceful cancel is the deadline's. */
    private static final int DEADLINE = 1 << 2;
    /** Bit: between attempts, a timer set; whoever clears it decides what comes next. */
    private static final int WAITING = 1 << 3;

    private static final AtomicIntegerFieldUpdater<Retrying> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Retrying.class, "state");
    private static final AtomicIntegerFieldUpdater<Retrying> WIP =
            AtomicIntegerFieldUpdater.newUpdater(Retrying.class, "wip");
    private static final AtomicLongFieldUpdater<Retrying> REQUESTED =
            AtomicLongFieldUpdater.newUpdater(Retrying.class, "requested");

    private final ClientConnection connection;
    private final RpcRequest request;
    private final CallShape shape;
    private final boolean idempotent;
    private final RetryPolicy policy;
    /** The call as its interceptors see it, told of each retry; {@code null} for a client without interceptors. */
    private final @Nullable Intercepted intercepted;
    /** The payload's window when the call was made, from which each later attempt's duplicate is cut. */
    private final int position;
    private final int limit;

    private volatile int state;
    /** The attempt under way, or the one about to start; set before WAITING is cleared. */
    private volatile @Nullable TransportCall current;
    /** Replies asked for by the call, in all; each attempt is asked for all of them, once. */
    private volatile long requested;
    private volatile int wip;
    /** The attempt {@link #forwarded} counts for; both only within {@link #drain()}. */
    private @Nullable TransportCall forwardedTo;
    private long forwarded;

    private volatile @Nullable Disposable timer;
    private @Nullable Listener listener;
    /** When the timeout sent with the first attempt runs out, on {@code System.nanoTime()}; if the request has one. */
    private long deadline;
    /** The attempts made so far; written before each starts, so read on its signals. */
    private int attempts;
    /**
     * Whether a reply or an item has gone to the caller: the call is never sent again. Written and
     * read on one attempt's signals, which are serial.
     */
    private boolean replied;
    /** The fault of the attempt the call waits to send again; published by the move to WAITING. */
    private @Nullable RpcFault lastFault;

    Retrying(ClientConnection connection, RpcRequest request, CallShape shape, boolean idempotent, RetryPolicy policy,
            @Nullable Intercepted intercepted) {
        this.connection = connection;
        this.request = request;
        this.shape = shape;
        this.idempotent = idempotent;
        this.policy = policy;
        this.intercepted = intercepted;
        this.position = request.payload().position();
        this.limit = request.payload().limit();
    }

    // ---- TransportCall: what the call does ----------------------------------------------------

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        Duration timeout = request.timeout();
        if (timeout != null) {
            deadline = System.nanoTime() + timeout.toNanos();
        }
        attempts = 1;
        TransportCall first = ParleyClient.transportCall(connection, request);
        current = first;
        send(first);
    }

    @Override
    public void request(long n) {
        Operators.addCap(REQUESTED, this, n);
        drain();
    }

    @Override
    public void cancel() {
        int s;
        do {
            s = state;
        }
        while (!STATE.compareAndSet(this, s, (s | CANCELLED) & ~WAITING));
        if ((s & WAITING) != 0) {
            disposeTimer();
        }
        TransportCall c = current;
        if (c != null) {
            c.cancel();
        }
    }

    @Override
    public void cancelGracefully() {
        graceful(false);
    }

    @Override
    public void deadlinePassed() {
        graceful(true);
    }

    /**
     * The first graceful notice: passed to the attempt under way (or recorded for the one about to
     * start), or, between attempts, the call's end.
     */
    private void graceful(boolean deadlineNotice) {
        int add = deadlineNotice ? GRACEFUL | DEADLINE : GRACEFUL;
        for (;;) {
            int s = state;
            if ((s & (GRACEFUL | CANCELLED)) != 0) {
                return;
            }
            if (STATE.compareAndSet(this, s, (s | add) & ~WAITING)) {
                if ((s & WAITING) != 0) {
                    disposeTimer();
                    endWhileWaiting(deadlineNotice);
                    return;
                }
                TransportCall c = current;
                if (c != null) {
                    notice(c, deadlineNotice);
                }
                return;
            }
        }
    }

    /**
     * Nothing is on a server: a graceful cancel has nobody to tell and no server's end to wait for,
     * so the call ends cancelled; the deadline leaves the last attempt's fault standing.
     */
    private void endWhileWaiting(boolean deadlineNotice) {
        RpcFault last = lastFault;
        Listener l = listener;
        if (last == null || l == null) {
            return;
        }
        l.onFault(deadlineNotice ? last : new RpcFault(RpcStatus.CALL_CANCELLED, "'" + request.method()
                + "' was cancelled gracefully while it waited to be sent again after " + last.status().name()
                + "; no server held it"));
    }

    // ---- the attempts ---------------------------------------------------------------------------

    /** Starts an attempt that is {@link #current}, with the cancels made so far and the demand. */
    private void send(TransportCall call) {
        int s = state;
        if ((s & CANCELLED) != 0) {
            return;
        }
        if ((s & GRACEFUL) != 0) {
            notice(call, (s & DEADLINE) != 0);
        }
        drain();
        call.start(this);
    }

    private static void notice(TransportCall call, boolean deadlineNotice) {
        if (deadlineNotice) {
            call.deadlinePassed();
        }
        else {
            call.cancelGracefully();
        }
    }

    /** The backoff is over: the next attempt goes out, unless a cancel took the call meanwhile. */
    private void retry() {
        RpcFault cause = lastFault;
        RpcRequest next = nextRequest();
        if (next == null || cause == null) {
            // The timeout ran out during the backoff.
            if (leaveWaiting() && cause != null) {
                listener().onFault(cause);
            }
            return;
        }
        TransportCall call = ParleyClient.transportCall(connection, next);
        current = call;
        if (!leaveWaiting()) {
            return;
        }
        int attempt = ++attempts;
        Intercepted i = intercepted;
        if (i != null) {
            i.retrying(cause.status(), attempt);
        }
        send(call);
    }

    /** The request of a later attempt: the same call with what remains of its timeout, its bytes whole; {@code null} if no time remains. */
    private @Nullable RpcRequest nextRequest() {
        Duration timeout = null;
        if (request.timeout() != null) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return null;
            }
            timeout = Duration.ofNanos(remaining);
        }
        ByteBuffer payload = request.payload().duplicate();
        payload.limit(limit).position(position);
        return new RpcRequest(request.method(), request.callId(), timeout, payload, request.interaction(), request.more(),
                request.metadata(), request.credentials());
    }

    /** Asks the current attempt for the demand it has not been asked for yet: all of it, for a new attempt. */
    private void drain() {
        if (WIP.getAndIncrement(this) != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            TransportCall c = current;
            if (c != null) {
                if (c != forwardedTo) {
                    forwardedTo = c;
                    forwarded = 0;
                }
                long r = requested;
                long f = forwarded;
                if (r != f) {
                    forwarded = r;
                    c.request(r == Long.MAX_VALUE ? Long.MAX_VALUE : r - f);
                }
            }
            missed = WIP.addAndGet(this, -missed);
            if (missed == 0) {
                return;
            }
        }
    }

    // ---- Listener: what an attempt delivers -----------------------------------------------------

    @Override
    public void onNext(ByteBuffer reply) {
        replied = true;
        listener().onNext(reply);
    }

    @Override
    public void onComplete() {
        listener().onComplete();
    }

    @Override
    public void onFault(RpcFault fault) {
        failed(fault, false);
    }

    @Override
    public void onNotSent(RpcFault fault) {
        failed(fault, true);
    }

    /** An attempt failed: the call waits to send it again if it may, else the fault is the call's. */
    private void failed(RpcFault fault, boolean notSent) {
        Listener l = listener();
        if (!mayRetry(fault.status(), notSent)) {
            l.onFault(fault);
            return;
        }
        long backoff = policy.backoffNanos(attempts);
        if (request.timeout() != null && deadline - System.nanoTime() <= backoff) {
            l.onFault(fault);
            return;
        }
        lastFault = fault;
        if (!enterWaiting()) {
            l.onFault(fault);
            return;
        }
        try {
            Disposable t = Schedulers.parallel().schedule(this::retry, backoff, TimeUnit.NANOSECONDS);
            timer = t;
            if ((state & (CANCELLED | GRACEFUL)) != 0) {
                // A cancel cleared WAITING before the timer was there to dispose.
                t.dispose();
            }
        }
        catch (RejectedExecutionException e) {
            if (leaveWaiting()) {
                l.onFault(fault);
            }
        }
    }

    private boolean mayRetry(RpcStatus status, boolean notSent) {
        if (attempts >= policy.maxAttempts() || replied || (state & (CANCELLED | GRACEFUL)) != 0 || connection.isDisposed()) {
            return false;
        }
        if (notSent) {
            // A stream of requests already subscribed to may have handed some over: they are not asked for twice.
            return !(request.more() instanceof Outbound) || !((Outbound) request.more()).subscribed();
        }
        return idempotent && (shape == CallShape.UNARY || shape == CallShape.SERVER_STREAM) && retryable(status);
    }

    /** The faults after which a server is known not to have run an idempotent call, or may not have. */
    static boolean retryable(RpcStatus status) {
        return status.equals(RpcStatus.SERVER_TOO_BUSY) || status.equals(RpcStatus.SERVER_UNAVAILABLE)
                || status.equals(RpcStatus.COMM_FAILURE);
    }

    // ---- the state word -------------------------------------------------------------------------

    private boolean enterWaiting() {
        for (;;) {
            int s = state;
            if ((s & (CANCELLED | GRACEFUL)) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s | WAITING)) {
                return true;
            }
        }
    }

    private boolean leaveWaiting() {
        for (;;) {
            int s = state;
            if ((s & WAITING) == 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s & ~WAITING)) {
                return true;
            }
        }
    }

    private void disposeTimer() {
        Disposable t = timer;
        if (t != null) {
            t.dispose();
        }
    }

    private Listener listener() {
        Listener l = listener;
        if (l == null) {
            throw new IllegalStateException("the call has not started");
        }
        return l;
    }

    @Override
    public String toString() {
        return "Retrying{" + request.method() + ", id=" + request.callId() + ", attempt " + attempts + " of "
                + policy.maxAttempts() + "}";
    }
}
