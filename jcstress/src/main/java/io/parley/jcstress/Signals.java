package io.parley.jcstress;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import reactor.core.CoreSubscriber;

/**
 * A subscriber that counts what it is signalled, from whichever threads signal it, and says it
 * as one word for the outcome: {@code nothing}, {@code reply}, {@code reply+end},
 * {@code fault <status>}, or whatever else it saw joined by {@code +} (which no test allows).
 * On the server it is the transport, subscribed to a call's replies; on the client, the
 * subscriber of a call's {@code Mono}.
 */
final class Signals<T> implements CoreSubscriber<T> {

    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Signals> NEXTS = AtomicIntegerFieldUpdater.newUpdater(Signals.class, "nexts");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Signals> ENDS = AtomicIntegerFieldUpdater.newUpdater(Signals.class, "ends");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Signals> FAULTS = AtomicIntegerFieldUpdater.newUpdater(Signals.class, "faults");
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Signals> RELEASES = AtomicIntegerFieldUpdater.newUpdater(Signals.class, "releases");

    private volatile int nexts;
    private volatile int ends;
    private volatile int faults;
    private volatile int releases;
    private volatile @Nullable String fault;
    private volatile @Nullable Subscription subscription;

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        // A call of one reply: a transport asks for it, as RSocket's request-response does.
        s.request(1);
    }

    @Override
    public void onNext(T value) {
        NEXTS.incrementAndGet(this);
    }

    @Override
    public void onError(Throwable t) {
        fault = t instanceof RpcFault ? ((RpcFault) t).status().name() : t.toString();
        FAULTS.incrementAndGet(this);
    }

    @Override
    public void onComplete() {
        ENDS.incrementAndGet(this);
    }

    /** Cancels the subscription: on the server, the client's abortive cancel as its transport passes it on. */
    void cancel() {
        Subscription s = subscription;
        if (s == null) {
            throw new IllegalStateException("not subscribed");
        }
        s.cancel();
    }

    /** The server gives the request's bytes back: counted, for it must happen exactly once. */
    void release() {
        RELEASES.incrementAndGet(this);
    }

    /** How many times the request's bytes were given back. */
    int releases() {
        return releases;
    }

    /** What the subscriber saw, in one word. */
    String seen() {
        StringBuilder seen = new StringBuilder();
        for (int i = nexts; i > 0; i--) {
            join(seen, "reply");
        }
        for (int i = ends; i > 0; i--) {
            join(seen, "end");
        }
        for (int i = faults; i > 0; i--) {
            join(seen, "fault " + fault);
        }
        return seen.length() == 0 ? "nothing" : seen.toString();
    }

    private static void join(StringBuilder seen, String signal) {
        if (seen.length() > 0) {
            seen.append('+');
        }
        seen.append(signal);
    }
}
