package io.parley.core.client;

import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoOperator;
import reactor.util.context.Context;

/**
 * Turns every error of a call into an {@link io.parley.core.RpcFault}, and hands the caller the
 * transport's own subscription: unlike {@code onErrorMap}, nothing sits between a cancel and the
 * transport that could drop it, and nothing is allocated but this operator and its subscriber.
 */
final class FaultMapping<R> extends MonoOperator<R, R> {

    FaultMapping(Mono<? extends R> source) {
        super(source);
    }

    @Override
    public void subscribe(CoreSubscriber<? super R> actual) {
        source.subscribe(new FaultMappingSubscriber<>(actual));
    }

    private static final class FaultMappingSubscriber<R> implements CoreSubscriber<R> {

        private final CoreSubscriber<? super R> actual;

        FaultMappingSubscriber(CoreSubscriber<? super R> actual) {
            this.actual = actual;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            actual.onSubscribe(s);
        }

        @Override
        public void onNext(R value) {
            actual.onNext(value);
        }

        @Override
        public void onError(Throwable error) {
            actual.onError(ParleyClient.asFault(error));
        }

        @Override
        public void onComplete() {
            actual.onComplete();
        }
    }
}
