package io.parley.rsocket;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.transport.ClientConnection.ReplyReader;
import io.parley.core.transport.RpcRequest;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * One call's request-response on an RSocket that is already there: the request goes out as the
 * exchange is subscribed, the reply is read and released at once, and every error becomes an
 * {@link RpcFault}. One object per call subscribes to RSocket and is the caller's subscription,
 * so a cancel goes straight to RSocket's request.
 *
 * <p>Used in two ways: on the connection's fast path, when there is one server and its RSocket is
 * known before the call (no carrier: the request goes out as the exchange is subscribed, so a
 * graceful cancel sent later on that RSocket follows it, and the exchange itself cancels the
 * request), and inside the slow path's connect, whose caller keeps the call's
 * {@link RSocketConnection.Carrier} on the connection's books.
 */
final class RSocketExchange<T> extends Mono<T> {

    private final RSocket rsocket;
    private final RpcRequest request;
    private final ReplyReader<T> reader;
    private final RSocketConnection.@Nullable Carrier carrier;

    /**
     * @param carrier the call's carrier, registered by the caller; {@code null} on the fast path
     */
    RSocketExchange(RSocket rsocket, RpcRequest request, ReplyReader<T> reader, RSocketConnection.@Nullable Carrier carrier) {
        this.rsocket = rsocket;
        this.request = request;
        this.reader = reader;
        this.carrier = carrier;
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        Payload payload;
        try {
            payload = RSocketConnection.toPayload(request);
        }
        catch (Throwable error) {
            Operators.error(actual, FaultCodec.toFault(error));
            return;
        }
        RSocketConnection.Carrier c = carrier;
        rsocket.requestResponse(payload).subscribe(new Exchange<>(actual, this, c));
        // The subscriber requested as it subscribed, so the REQUEST_RESPONSE frame is queued: a
        // graceful cancel sent after it on the same connection cannot overtake it.
        if (c != null && request.callId() != RpcRequest.NO_CALL_ID && c.sent(rsocket)) {
            RSocketConnection.sendCancel(rsocket, request.callId());
        }
    }

    private static final class Exchange<T> implements CoreSubscriber<Payload>, Subscription {

        private final CoreSubscriber<? super T> actual;
        private final RSocketExchange<T> parent;
        private final RSocketConnection.@Nullable Carrier carrier;
        private @Nullable Subscription upstream;
        private @Nullable T value;
        private boolean done;

        Exchange(CoreSubscriber<? super T> actual, RSocketExchange<T> parent, RSocketConnection.@Nullable Carrier carrier) {
            this.actual = actual;
            this.parent = parent;
            this.carrier = carrier;
        }

        @Override
        public Context currentContext() {
            return actual.currentContext();
        }

        @Override
        public void onSubscribe(Subscription s) {
            if (Operators.validate(upstream, s)) {
                upstream = s;
                if (carrier != null) {
                    carrier.requestSubscribed(s);
                }
                actual.onSubscribe(this);
            }
        }

        @Override
        public void onNext(Payload payload) {
            if (done) {
                payload.release();
                return;
            }
            try {
                value = parent.reader.read(payload.getData());
            }
            catch (Throwable error) {
                done = true;
                Subscription s = upstream;
                if (s != null) {
                    s.cancel();
                }
                actual.onError(FaultCodec.toFault(error));
                return;
            }
            finally {
                payload.release();
            }
        }

        @Override
        public void onError(Throwable error) {
            if (done) {
                Operators.onErrorDropped(error, actual.currentContext());
                return;
            }
            done = true;
            actual.onError(FaultCodec.toFault(error));
        }

        @Override
        public void onComplete() {
            if (done) {
                return;
            }
            done = true;
            T v = value;
            value = null;
            if (v != null) {
                actual.onNext(v);
            }
            actual.onComplete();
        }

        @Override
        public void request(long n) {
            Subscription s = upstream;
            if (s != null) {
                s.request(n);
            }
        }

        @Override
        public void cancel() {
            RSocketConnection.Carrier c = carrier;
            if (c != null) {
                c.cancelAbortively();
                return;
            }
            Subscription s = upstream;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
