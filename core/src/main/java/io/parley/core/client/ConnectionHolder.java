package io.parley.core.client;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

/**
 * A client's one connection, as a {@code Mono} each call subscribes to: made on the first call,
 * shared by the calls that come while it is being made, and made again by the first call after
 * it closed.
 *
 * <p>The state is the one reference {@link #state}: {@code null} (none), a {@link Connecting}
 * (a connect under way, whose outcome every waiting call receives), or the
 * {@link ClientConnection} (connected). A call that stops waiting leaves only its own wait: the
 * connect goes on for the others, and for the calls to come. (Reactor's
 * {@code cacheInvalidateWhen} did the same job, but a waiting call cancelled while its connect
 * was being subscribed made it throw a {@code NullPointerException} out of the cancel.)
 *
 * <p>A failed connect is not kept: the next call tries again.
 */
final class ConnectionHolder extends Mono<ClientConnection> {

    private static final AtomicReferenceFieldUpdater<ConnectionHolder, Object> STATE =
            AtomicReferenceFieldUpdater.newUpdater(ConnectionHolder.class, Object.class, "state");

    private final Supplier<? extends Mono<ClientConnection>> connector;

    /** {@code null}, a {@link Connecting}, or the {@link ClientConnection}. */
    private volatile @Nullable Object state;

    /**
     * @param connector makes a connection; its failure reaches the calls waiting for it as it is
     */
    ConnectionHolder(Supplier<? extends Mono<ClientConnection>> connector) {
        this.connector = connector;
    }

    @Override
    public void subscribe(CoreSubscriber<? super ClientConnection> actual) {
        for (;;) {
            Object s = state;
            if (s instanceof ClientConnection) {
                ClientConnection c = (ClientConnection) s;
                if (!c.isDisposed()) {
                    actual.onSubscribe(Operators.scalarSubscription(actual, c));
                    return;
                }
                // Disposed, its close perhaps not signalled yet: connect again.
                STATE.compareAndSet(this, c, null);
            }
            else if (s instanceof Connecting) {
                ((Connecting) s).outcome.asMono().subscribe(actual);
                return;
            }
            else {
                Connecting connecting = new Connecting();
                if (STATE.compareAndSet(this, null, connecting)) {
                    connecting.outcome.asMono().subscribe(actual);
                    connecting.start();
                    return;
                }
            }
        }
    }

    /** The connection, if there is one and it is not disposed; {@code null} while there is none or it is being made. */
    @Nullable ClientConnection live() {
        Object s = state;
        if (s instanceof ClientConnection) {
            ClientConnection c = (ClientConnection) s;
            return c.isDisposed() ? null : c;
        }
        return null;
    }

    /** The connection closed: the next call connects again. */
    private void closed(ClientConnection c) {
        STATE.compareAndSet(this, c, null);
    }

    /** One connect, and the calls waiting for it. */
    private final class Connecting implements CoreSubscriber<ClientConnection> {

        final Sinks.One<ClientConnection> outcome = Sinks.one();
        private boolean connected;

        void start() {
            Mono<ClientConnection> connect;
            try {
                connect = connector.get();
            }
            catch (Throwable e) {
                onError(e);
                return;
            }
            connect.subscribe(this);
        }

        @Override
        public void onSubscribe(Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(ClientConnection c) {
            if (connected) {
                return;
            }
            connected = true;
            // Held before the waiting calls hear of it, so that what they do next finds it; let
            // go when it closes, which may be at once.
            STATE.compareAndSet(ConnectionHolder.this, this, c);
            c.onClose().subscribe(null, error -> closed(c), () -> closed(c));
            outcome.tryEmitValue(c);
        }

        @Override
        public void onError(Throwable error) {
            if (connected) {
                return;
            }
            STATE.compareAndSet(ConnectionHolder.this, this, null);
            outcome.tryEmitError(error);
        }

        @Override
        public void onComplete() {
            if (!connected) {
                onError(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the transport made no connection"));
            }
        }
    }
}
