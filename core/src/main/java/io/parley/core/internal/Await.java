package io.parley.core.internal;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Takes the value of a {@code Mono} that an interceptor or an authenticator returns: at once,
 * without subscribing, if it is a scalar ({@code Mono.just}, {@code Mono.error},
 * {@code Mono.empty}), otherwise when it comes. The steps before a handler run on this, so that a
 * chain of interceptors that answer at once costs no subscription.
 */
public final class Await {

    private Await() {
    }

    /**
     * Hands over the value of a {@code Mono}, or its failure: an error, or no value.
     *
     * @param mono the {@code Mono}; {@code null} counts as a failure
     * @param context the subscriber context it sees, if it is subscribed to
     * @param onValue receives the value
     * @param onFailure receives the error; for an empty {@code Mono}, a {@code NoSuchElementException}
     * @param <T> the value type
     * @return {@code null} if it was handed over at once; otherwise what cancels the wait
     */
    @SuppressWarnings("unchecked")
    public static <T> @Nullable Disposable value(@Nullable Mono<? extends T> mono, Context context,
            Consumer<? super T> onValue, Consumer<Throwable> onFailure) {
        if (mono == null) {
            onFailure.accept(new NullPointerException("returned null instead of a Mono"));
            return null;
        }
        if (mono instanceof Callable) {
            T value;
            try {
                value = ((Callable<T>) mono).call();
            }
            catch (Throwable t) {
                Throwable e = Exceptions.unwrap(t);
                Exceptions.throwIfJvmFatal(e);
                onFailure.accept(e);
                return null;
            }
            if (value == null) {
                onFailure.accept(new java.util.NoSuchElementException("the Mono was empty"));
            }
            else {
                onValue.accept(value);
            }
            return null;
        }
        Waiter<T> waiter = new Waiter<>(context, onValue, onFailure);
        mono.subscribe(waiter);
        return waiter;
    }

    private static final class Waiter<T> implements CoreSubscriber<T>, Disposable {

        private final Context context;
        private final Consumer<? super T> onValue;
        private final Consumer<Throwable> onFailure;
        private volatile @Nullable Subscription subscription;
        private volatile boolean disposed;
        private boolean done;

        Waiter(Context context, Consumer<? super T> onValue, Consumer<Throwable> onFailure) {
            this.context = context;
            this.onValue = onValue;
            this.onFailure = onFailure;
        }

        @Override
        public Context currentContext() {
            return context;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (disposed) {
                s.cancel();
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(T value) {
            if (done || disposed) {
                return;
            }
            done = true;
            onValue.accept(value);
        }

        @Override
        public void onError(Throwable t) {
            if (done || disposed) {
                return;
            }
            done = true;
            onFailure.accept(t);
        }

        @Override
        public void onComplete() {
            if (done || disposed) {
                return;
            }
            done = true;
            onFailure.accept(new java.util.NoSuchElementException("the Mono was empty"));
        }

        @Override
        public void dispose() {
            disposed = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }
}
