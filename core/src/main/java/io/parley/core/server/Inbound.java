package io.parley.core.server;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

/**
 * A channel's requests as its handler sees them: the first, decoded as the call arrived, then
 * the transport's {@code more}, each decoded as it comes. The handler's demand is the transport's
 * (over RSocket, {@code REQUEST_N} to the client). The call subscribes to the transport before
 * its handler runs and stops it when the call ends ({@link #stop}): the transport is cancelled,
 * and a handler still reading is told how the call ended.
 *
 * <p>An empty request is not an element (a Reactive Streams element is never {@code null}); a
 * request over the server's limit or one that cannot be decoded ends the call, not the
 * connection.
 */
final class Inbound<Q> extends Flux<Q> implements CoreSubscriber<ByteBuffer>, Subscription {

    /** The first request waits for the handler's first demand. */
    private static final int FIRST_WAITING = 0;
    /** The first request is being handed to the handler. */
    private static final int FIRST_EMITTING = 1;
    /** The first request is handed on, or there was none. */
    private static final int FIRST_DONE = 2;

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Inbound> FIRST =
            AtomicIntegerFieldUpdater.newUpdater(Inbound.class, "firstState");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Inbound> SIGNALLED =
            AtomicIntegerFieldUpdater.newUpdater(Inbound.class, "signalled");
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<Inbound, Object> END =
            AtomicReferenceFieldUpdater.newUpdater(Inbound.class, Object.class, "end");

    /** The end, when it is a completion. */
    private static final Object COMPLETE = new Object();

    private final ServerCall<?> call;
    private final Session session;
    private final Class<Q> type;
    private final @Nullable Publisher<ByteBuffer> more;
    private final Operators.DeferredSubscription upstream = new Operators.DeferredSubscription();

    private @Nullable Q first;
    private volatile int firstState;
    /** The end, once known: {@link #COMPLETE} or the error; the first to come stands. */
    private volatile @Nullable Object end;
    /** Whether the end went to the handler's subscriber, or never will (it cancelled). */
    private volatile int signalled;
    private volatile @Nullable CoreSubscriber<? super Q> actual;

    @SuppressWarnings("unchecked")
    Inbound(ServerCall<?> call, Session session, Class<?> type, @Nullable Object first, @Nullable Publisher<ByteBuffer> more) {
        this.call = call;
        this.session = session;
        this.type = (Class<Q>) type;
        this.first = (Q) first;
        this.firstState = first == null ? FIRST_DONE : FIRST_WAITING;
        this.more = more;
    }

    /** Subscribes to the transport's requests; called once, as the call is subscribed to. */
    void connect() {
        Publisher<ByteBuffer> m = more;
        if (m != null) {
            m.subscribe(this);
        }
        else {
            upstream.set(Operators.emptySubscription());
            ended(COMPLETE);
        }
    }

    // ---- the handler's side ------------------------------------------------------------------

    @Override
    public void subscribe(CoreSubscriber<? super Q> subscriber) {
        if (actual != null) {
            Operators.error(subscriber, new IllegalStateException("a channel's requests may be subscribed to only once"));
            return;
        }
        CoreSubscriber<? super Q> a = Operators.serialize(subscriber);
        actual = a;
        a.onSubscribe(this);
        if (firstState == FIRST_DONE && end != null) {
            signalEnd();
        }
    }

    @Override
    public void request(long n) {
        if (!Operators.validate(n)) {
            return;
        }
        if (FIRST.compareAndSet(this, FIRST_WAITING, FIRST_EMITTING)) {
            Q f = first;
            first = null;
            CoreSubscriber<? super Q> a = actual;
            if (f != null && a != null && signalled == 0) {
                a.onNext(f);
            }
            firstState = FIRST_DONE;
            if (end != null) {
                signalEnd();
                return;
            }
            if (--n == 0) {
                return;
            }
        }
        upstream.request(n);
    }

    /** The handler is done with the requests: the transport is cancelled; the call goes on. */
    @Override
    public void cancel() {
        signalled = 1;
        first = null;
        upstream.cancel();
    }

    // ---- the transport's side ----------------------------------------------------------------

    @Override
    public void onSubscribe(Subscription s) {
        upstream.set(s);
    }

    @Override
    public void onNext(ByteBuffer bytes) {
        if (signalled != 0) {
            return;
        }
        Q value;
        try {
            value = type.cast(session.decode("a request", call.method(), bytes, type));
        }
        catch (RpcFault fault) {
            call.end(fault);
            return;
        }
        CoreSubscriber<? super Q> a = actual;
        if (value == null || a == null) {
            // Not an element: the demand it took is asked for again.
            upstream.request(1);
            return;
        }
        a.onNext(value);
    }

    @Override
    public void onError(Throwable error) {
        ended(error instanceof RpcFault ? error : new RpcFault(RpcStatus.CALL_FAILED, "the client's requests failed: " + error));
    }

    @Override
    public void onComplete() {
        ended(COMPLETE);
    }

    /**
     * The call has ended, or the client left it: the transport is cancelled and a handler still
     * reading gets the fault (how the client left, or how the call ended), or completes.
     *
     * @param fault the fault, or {@code null} to complete
     */
    void stop(@Nullable RpcFault fault) {
        upstream.cancel();
        if (FIRST.compareAndSet(this, FIRST_WAITING, FIRST_DONE)) {
            first = null;
        }
        ended(fault != null ? fault : COMPLETE);
    }

    private void ended(Object how) {
        if (END.compareAndSet(this, null, how) && firstState == FIRST_DONE) {
            signalEnd();
        }
    }

    private void signalEnd() {
        CoreSubscriber<? super Q> a = actual;
        if (a == null || !SIGNALLED.compareAndSet(this, 0, 1)) {
            return;
        }
        Object how = end;
        if (how == COMPLETE) {
            a.onComplete();
        }
        else if (how instanceof Throwable) {
            a.onError((Throwable) how);
        }
    }
}
