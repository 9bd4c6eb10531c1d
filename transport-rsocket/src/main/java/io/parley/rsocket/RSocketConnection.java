package io.parley.rsocket;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketClient;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.retry.Retry;

/**
 * A Parley client's connection: an {@link RSocketClient}, which connects on demand and again
 * after a drop. Each call remembers which RSocket carried it, so that a graceful cancel goes to
 * the same server even behind a load balancer; a graceful cancel made before the request is out
 * (while the connection is still being made) follows the request as soon as it is.
 */
final class RSocketConnection implements ClientConnection {

    private static final Logger log = Loggers.getLogger(RSocketConnection.class);
    private static final Duration LET_GO_WAIT = Duration.ofSeconds(5);

    /**
     * A balancer connects to a server inside the call; when that connect fails the request never
     * went out, so it may go to another server. The balancer drops the failed server only after
     * it has told the call, in the same event-loop task: the retry waits for that task to end.
     */
    private static final Retry RETRY_UNSENT = Retry.max(3)
            .filter(RSocketConnection::neverSent)
            .doBeforeRetryAsync(signal -> afterCurrentTask())
            .onRetryExhaustedThrow((spec, signal) -> signal.failure());

    private final RSocketClient client;
    private final String target;
    private final ConcurrentHashMap<Long, Carrier> carriers = new ConcurrentHashMap<>();

    RSocketConnection(RSocketClient client, String target) {
        this.client = client;
        this.target = target;
    }

    @Override
    public <T> Mono<T> call(RpcRequest request, ReplyReader<T> reader) {
        long callId = request.callId();
        // The carrier is registered as the call is subscribed, before the connection exists, so
        // that a graceful cancel made while connecting waits for the request instead of being lost.
        // An abortive cancel goes from the outermost operator straight to the request: flatMap and
        // retryWhen may drop a cancel that races with their own subscriptions.
        return Mono.defer(() -> {
            Carrier carrier = new Carrier();
            Mono<T> call = Mono.defer(() -> connected().flatMap(rsocket -> exchange(rsocket, request, reader, carrier)))
                    .retryWhen(RETRY_UNSENT);
            if (callId != RpcRequest.NO_CALL_ID) {
                carriers.put(callId, carrier);
                call = call.doFinally(signal -> carriers.remove(callId, carrier));
            }
            return call.doOnCancel(carrier::cancelAbortively);
        });
    }

    private Mono<RSocket> connected() {
        return client.source()
                .flatMap(rsocket -> rsocket.isDisposed() ? afterLetGo(rsocket) : Mono.just(rsocket))
                .onErrorMap(error -> !(error instanceof RpcFault), error -> new RpcFault(RpcStatus.SERVER_UNAVAILABLE,
                        "could not connect to " + target + ": " + error.getMessage(), error));
    }

    /**
     * RSocket ends a connection's requester as soon as it learns the connection is over (a
     * keepalive timeout, an ERROR on stream 0), but the client lets go of it only once the
     * connection has closed, a moment later. A call in that moment waits for the close, at most
     * {@link #LET_GO_WAIT}, and asks again: the next connection, not the dead one, carries it.
     */
    private Mono<RSocket> afterLetGo(RSocket ended) {
        return ended.onClose()
                .onErrorResume(error -> Mono.empty())
                .timeout(LET_GO_WAIT, Mono.empty())
                .then(Mono.defer(client::source))
                .flatMap(rsocket -> rsocket.isDisposed()
                        ? Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no live connection to " + target))
                        : Mono.just(rsocket));
    }

    private <T> Mono<T> exchange(RSocket rsocket, RpcRequest request, ReplyReader<T> reader, Carrier carrier) {
        Mono<Payload> response = rsocket.requestResponse(toPayload(request)).doOnSubscribe(carrier::requestSubscribed);
        if (request.callId() != RpcRequest.NO_CALL_ID) {
            Mono<Payload> requested = response;
            response = Mono.fromDirect(subscriber -> {
                // The subscriber requests as it subscribes, and the REQUEST_RESPONSE frame is queued
                // then; a graceful cancel sent after it on the same connection cannot overtake it.
                requested.subscribe(subscriber);
                if (carrier.sent(rsocket)) {
                    sendCancel(rsocket, request.callId());
                }
            });
        }
        return response
                .<T>handle((payload, sink) -> {
                    try {
                        T value = reader.read(payload.getData());
                        if (value != null) {
                            sink.next(value);
                        }
                    }
                    finally {
                        payload.release();
                    }
                })
                .onErrorMap(FaultCodec::toFault);
    }

    private static boolean neverSent(Throwable error) {
        return error instanceof RpcFault && error.getCause() instanceof ConnectException;
    }

    private static Mono<Void> afterCurrentTask() {
        EventExecutor eventLoop = ThreadExecutorMap.currentExecutor();
        if (eventLoop == null) {
            return Mono.empty();
        }
        return Mono.create(sink -> eventLoop.execute(sink::success));
    }

    private static Payload toPayload(RpcRequest request) {
        long timeoutMillis = request.timeout() == null ? 0 : Math.max(1, request.timeout().toMillis());
        ByteBuf metadata = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, request.method(),
                request.callId(), timeoutMillis);
        return ByteBufPayload.create(Unpooled.wrappedBuffer(request.payload()), metadata);
    }

    @Override
    public void cancelGracefully(long callId) {
        Carrier carrier = carriers.get(callId);
        if (carrier == null) {
            return;
        }
        RSocket rsocket = carrier.cancel();
        if (rsocket != null) {
            sendCancel(rsocket, callId);
        }
    }

    private static void sendCancel(RSocket rsocket, long callId) {
        ByteBuf metadata = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, callId);
        rsocket.metadataPush(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, metadata))
                .subscribe(null, error -> log.debug("Graceful cancel of call {} not sent: {}", callId, error.toString()));
    }

    @Override
    public Mono<Void> onClose() {
        return client.onClose();
    }

    @Override
    public void dispose() {
        // A client whose connect failed has terminated itself; disposing it again would report
        // its "Disposed" error as dropped.
        if (!client.isDisposed()) {
            client.dispose();
        }
    }

    @Override
    public boolean isDisposed() {
        return client.isDisposed();
    }

    @Override
    public String toString() {
        return "RSocketConnection{" + target + "}";
    }

    /**
     * Which RSocket carried a call, once its request is out, and whether a graceful cancel is
     * waiting for that moment. Behind a load balancer the carrier is only known then.
     *
     * <p>And the subscription to the RSocket request, which an abortive cancel reaches directly,
     * past the operators on the way that may drop it (see {@code CancelRelay} in core).
     */
    private static final class Carrier {

        private static final AtomicReferenceFieldUpdater<Carrier, Subscription> REQUEST =
                AtomicReferenceFieldUpdater.newUpdater(Carrier.class, Subscription.class, "request");

        private @Nullable RSocket rsocket;
        private boolean cancelWaiting;
        private volatile @Nullable Subscription request;

        /** A request was made: cancelled at once if the call already was; replaces an earlier attempt's, which never went out. */
        void requestSubscribed(Subscription subscription) {
            for (;;) {
                Subscription current = request;
                if (current == Operators.cancelledSubscription()) {
                    subscription.cancel();
                    return;
                }
                if (REQUEST.compareAndSet(this, current, subscription)) {
                    return;
                }
            }
        }

        /** The call was cancelled abortively: so is its request, now or when it is made. */
        void cancelAbortively() {
            Operators.terminate(REQUEST, this);
        }

        /** The request is out on {@code sent}; true if a graceful cancel was waiting for it. */
        synchronized boolean sent(RSocket sent) {
            rsocket = sent;
            return cancelWaiting;
        }

        /** The RSocket to send a graceful cancel on, or null if the request is not out yet and the cancel waits. */
        synchronized @Nullable RSocket cancel() {
            if (rsocket == null) {
                cancelWaiting = true;
            }
            return rsocket;
        }
    }
}
