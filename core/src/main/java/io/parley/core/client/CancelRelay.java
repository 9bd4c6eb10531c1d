package io.parley.core.client;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import reactor.core.publisher.Operators;

/**
 * Carries one call's abortive cancel straight to the transport.
 *
 * <p>Some Reactor operators drop a cancel that races with their own subscription to upstream
 * (Reactor 3.8): {@code Mono.flatMap} when its inner is being subscribed at that moment, and
 * every operator built on {@code Operators.MultiSubscriptionSubscriber} ({@code onErrorMap},
 * {@code onErrorResume}, {@code timeout}, {@code retryWhen}), which installs the new
 * subscription after its last look at its cancelled flag. A call disposed from another thread
 * just as it starts would then send its request and never cancel it, and the server would hold
 * the call for as long as the connection lives. So the call records the cancel where it is
 * certain to see it, at its outermost operator ({@link #run()}), and applies it to the
 * transport's subscription, captured where the call meets the transport ({@link #accept}):
 * whichever of the two comes second cancels.
 *
 * <p>A {@code Runnable} and a {@code Consumer} itself, for {@code doOnCancel} and
 * {@code doOnSubscribe}, so a call allocates no more than this one object for it. Thread-safe;
 * cancelling twice, or after the call ended, changes nothing.
 */
final class CancelRelay implements Runnable, Consumer<Subscription> {

    private static final AtomicReferenceFieldUpdater<CancelRelay, Subscription> TRANSPORT =
            AtomicReferenceFieldUpdater.newUpdater(CancelRelay.class, Subscription.class, "transport");

    private volatile @Nullable Subscription transport;

    /** The transport's subscription, as it is made: cancelled at once if the call already was. */
    @Override
    public void accept(Subscription subscription) {
        Operators.setOnce(TRANSPORT, this, subscription);
    }

    /** The call was cancelled: so is the transport's subscription, now or when it is made. */
    @Override
    public void run() {
        cancel();
    }

    /** The call was cancelled: so is the transport's subscription, now or when it is made. */
    void cancel() {
        Operators.terminate(TRANSPORT, this);
    }
}
