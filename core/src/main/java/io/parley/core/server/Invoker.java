package io.parley.core.server;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.parley.core.RpcStatus;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * Runs one handler shape against a call. Every shape ends up calling the call's complete or
 * abort; a reactive one through {@link ReplySubscriber} or, for a stream, {@link StreamSubscriber}.
 */
@FunctionalInterface
interface Invoker<Q, R> {

    void invoke(Q request, ServerCall<R> call) throws Exception;

    static <Q, R> Invoker<Q, R> ofMono(MonoHandler<Q, R> handler) {
        return (request, call) -> {
            Mono<? extends R> reply = handler.handle(request, call);
            if (reply == null) {
                throw new NullPointerException("handler of '" + call.method() + "' returned null instead of a Mono");
            }
            reply.subscribe(new ReplySubscriber<>(call));
        };
    }

    static <Q, R> Invoker<Q, R> ofFlux(FluxHandler<Q, R> handler) {
        return (request, call) -> {
            Publisher<? extends R> items = handler.handle(request, call);
            if (items == null) {
                throw new NullPointerException("handler of '" + call.method() + "' returned null instead of a Publisher");
            }
            items.subscribe(new StreamSubscriber<>(call));
        };
    }

    /**
     * Feeds a handler's {@code Flux} into its call, item by item through {@link ServerCall#next};
     * its demand is the client's, passed on by the call. An abortive cancel by the client, or
     * an item the call refuses, cancels the subscription.
     */
    final class StreamSubscriber<R> implements CoreSubscriber<R>, Runnable {

        private final ServerCall<R> call;
        private boolean done;

        StreamSubscriber(ServerCall<R> call) {
            this.call = call;
        }

        @Override
        public void onSubscribe(Subscription s) {
            Operators.DeferredSubscription demand = call.handlerDemand();
            if (demand == null) {
                s.cancel();
                return;
            }
            // Cancelled at once if the client has left; onAbandon then gives the request back.
            demand.set(s);
            call.onAbandon(this);
        }

        @Override
        public void onNext(R item) {
            if (done) {
                Operators.onNextDropped(item, currentContext());
                return;
            }
            RpcStatus status = call.next(item);
            if (status != RpcStatus.OK) {
                // The call ended under the handler (a client that left, an item it could not encode).
                done = true;
                run();
            }
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, currentContext());
                return;
            }
            done = true;
            Exceptions.throwIfJvmFatal(t);
            call.fail(t);
        }

        @Override
        public void onComplete() {
            if (!done) {
                done = true;
                call.complete();
            }
        }

        /** Stops the handler's work: its {@code Flux} signals nothing more, so it is done with the request. */
        @Override
        public void run() {
            Operators.DeferredSubscription demand = call.handlerDemand();
            if (demand != null) {
                demand.cancel();
            }
            call.releaseRequest();
        }
    }

    /**
     * Feeds a handler's {@code Mono} into its call. An abortive cancel by the client cancels the
     * subscription, through {@link ServerCall#onAbandon}.
     */
    final class ReplySubscriber<R> implements CoreSubscriber<R>, Runnable {

        private final ServerCall<R> call;
        private volatile @Nullable Subscription subscription;
        private boolean done;

        ReplySubscriber(ServerCall<R> call) {
            this.call = call;
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(subscription, s)) {
                subscription = s;
                call.onAbandon(this);
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(R value) {
            if (done) {
                Operators.onNextDropped(value, currentContext());
                return;
            }
            done = true;
            call.complete(value);
        }

        @Override
        public void onError(Throwable t) {
            if (done) {
                Operators.onErrorDropped(t, currentContext());
                return;
            }
            done = true;
            Exceptions.throwIfJvmFatal(t);
            call.fail(t);
        }

        @Override
        public void onComplete() {
            if (!done) {
                done = true;
                call.complete(null);
            }
        }

        /**
         * The client abandoned the call, or the server is shutting down: stop the handler's work.
         * A cancelled {@code Mono} signals nothing more, so the handler is done with the request.
         */
        @Override
        public void run() {
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            call.releaseRequest();
        }
    }
}
