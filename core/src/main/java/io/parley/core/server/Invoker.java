package io.parley.core.server;

import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.parley.core.RpcStatus;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Runs one handler shape against a call. Every shape ends up calling the call's complete or
 * abort; a reactive one through {@link HandlerSubscriber}.
 */
@FunctionalInterface
interface Invoker<Q, R> {

    void invoke(@Nullable Q request, ServerCall<R> call) throws Exception;

    static <Q, R> Invoker<Q, R> ofMono(MonoHandler<Q, R> handler) {
        return (request, call) -> {
            Mono<? extends R> reply = handler.handle(request, call);
            if (reply == null) {
                throw new NullPointerException("handler of '" + call.method() + "' returned null instead of a Mono");
            }
            withThreadLocals(reply).subscribe(new HandlerSubscriber<>(call));
        };
    }

    static <Q, R> Invoker<Q, R> ofFlux(FluxHandler<Q, R> handler) {
        return (request, call) -> {
            Publisher<? extends R> items = handler.handle(request, call);
            if (items == null) {
                throw new NullPointerException("handler of '" + call.method() + "' returned null instead of a Publisher");
            }
            withThreadLocals(items).subscribe(new HandlerSubscriber<>(call));
        };
    }

    /**
     * With Reactor's automatic context propagation on, a handler's publisher is subscribed with
     * the thread-locals of its {@code Context} set, as below a {@code contextWrite}: the handler's
     * operators see what the interceptors put there (the current observation, and through it the
     * trace id in log lines) even on the thread that dispatched the call. Off, nothing is added.
     */
    private static <R> Publisher<? extends R> withThreadLocals(Publisher<? extends R> handlerPublisher) {
        if (!Hooks.isAutomaticContextPropagationEnabled()) {
            return handlerPublisher;
        }
        return handlerPublisher instanceof Mono ? ((Mono<? extends R>) handlerPublisher).contextWrite(Function.identity())
                : Flux.from(handlerPublisher).contextWrite(Function.identity());
    }

    /**
     * Feeds a handler's publisher into its call: a {@code Mono}'s value completes it; a stream's
     * items go through {@link ServerCall#next}, with the client's demand passed on by the call
     * ({@link ServerCall#handlerDemand()}); its error aborts it. An abortive cancel by the client,
     * or an item the call refuses, cancels the subscription, through {@link ServerCall#onAbandon}.
     */
    final class HandlerSubscriber<R> implements CoreSubscriber<R>, Runnable {

        private final ServerCall<R> call;
        /** A stream's demand, the client's; {@code null} for a call of one reply, which asks for all. */
        private final Operators.@Nullable DeferredSubscription demand;
        private volatile @Nullable Subscription subscription;
        private boolean done;

        HandlerSubscriber(ServerCall<R> call) {
            this.call = call;
            this.demand = call.handlerDemand();
        }

        /** The handler's publisher sees the call, its deadline and what the interceptors added. */
        @Override
        public Context currentContext() {
            return call.handlerContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (!Operators.validate(subscription, s)) {
                return;
            }
            subscription = s;
            call.onAbandon(this);
            Operators.DeferredSubscription d = demand;
            if (d != null) {
                // Cancelled at once if the client has left.
                d.set(s);
            }
            else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(R value) {
            if (done) {
                Operators.onNextDropped(value, currentContext());
                return;
            }
            if (demand == null) {
                done = true;
                call.complete(value);
            }
            else if (call.next(value) != RpcStatus.OK) {
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
                call.complete(null);
            }
        }

        /**
         * The client abandoned the call, or the server is shutting down: stop the handler's work.
         * A cancelled publisher signals nothing more, so the handler is done with the request.
         */
        @Override
        public void run() {
            Subscription s = demand != null ? demand : subscription;
            if (s != null) {
                s.cancel();
            }
            call.releaseRequest();
        }
    }
}
