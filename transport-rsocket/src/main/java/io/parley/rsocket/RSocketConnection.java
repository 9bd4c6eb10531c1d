package io.parley.rsocket;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Supplier;

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
import reactor.core.publisher.Sinks;
import reactor.util.Logger;
import reactor.util.Loggers;
import reactor.util.retry.Retry;

/**
 * A Parley client's connection: an {@link RSocketClient}, which connects on demand and again
 * after a drop. A call made while the connection is being made, or behind a load balancer,
 * remembers which RSocket carried it, so that a graceful cancel goes to the same server and, made
 * before the request is out, follows the request as soon as it is. A call to one server over a
 * live connection goes out at once on that connection, where its graceful cancel follows it.
 */
final class RSocketConnection implements ClientConnection {

    private static final Logger log = Loggers.getLogger(RSocketConnection.class);
    private static final Duration LET_GO_WAIT = Duration.ofSeconds(5);

    /**
     * A balancer connects to a server inside the call; when that connect fails, or the balancer
     * has no server left, the request never went out, so it may go to another server. The
     * balancer drops the failed server only after it has told the call, in the same event-loop
     * task: the retry waits for that task to end.
     */
    private static final Retry RETRY_UNSENT = Retry.max(3)
            .filter(RSocketConnection::neverSent)
            .doBeforeRetryAsync(signal -> afterCurrentTask())
            .onRetryExhaustedThrow((spec, signal) -> signal.failure());

    private static final AtomicReferenceFieldUpdater<RSocketConnection, Client> CLIENT =
            AtomicReferenceFieldUpdater.newUpdater(RSocketConnection.class, Client.class, "client");

    private final Supplier<RSocketClient> clients;
    private final String target;
    private final boolean balanced;
    /**
     * The RSocket client. One server's reconnects by itself. RSocket's balancer drops a server
     * whose connect failed and ends for good once it has none left ("Pool is exhausted"): a
     * balanced connection then starts a new one from the full list of targets.
     */
    private volatile Client client;
    /** A balanced connection ends only when disposed; one server's ends with its client. */
    private final Sinks.Empty<Void> disposed = Sinks.empty();
    private volatile boolean closed;
    private final ConcurrentHashMap<Long, Carrier> carriers = new ConcurrentHashMap<>();
    /** The RSocket the last call was sent on, when there is one server; calls skip the connect while it lives. */
    private volatile @Nullable RSocket live;

    /**
     * @param clients makes the RSocket client: once, or for a balancer each time the last one ended
     * @param target what the client connects to, for messages
     * @param balanced whether the client is RSocket's balancer over several servers
     */
    RSocketConnection(Supplier<RSocketClient> clients, String target, boolean balanced) {
        this.clients = clients;
        this.target = target;
        this.balanced = balanced;
        this.client = new Client(clients.get(), balanced);
    }

    /** The client to send on: for a balancer that has ended while this connection lives, a new one. */
    private RSocketClient client() {
        Client current = client;
        if (!current.ended || closed) {
            return current.rsocketClient;
        }
        Client fresh = new Client(clients.get(), true);
        if (CLIENT.compareAndSet(this, current, fresh)) {
            if (closed) {
                fresh.rsocketClient.dispose();
            }
            return fresh.rsocketClient;
        }
        fresh.rsocketClient.dispose();
        return client.rsocketClient;
    }

    /** An RSocket client, and whether it has ended: a balancer's {@code isDisposed()} does not tell. */
    private static final class Client {

        final RSocketClient rsocketClient;
        volatile boolean ended;

        Client(RSocketClient rsocketClient, boolean watch) {
            this.rsocketClient = rsocketClient;
            if (watch) {
                rsocketClient.onClose().subscribe(null, error -> ended = true, () -> ended = true);
            }
        }
    }

    @Override
    public <T> Mono<T> call(RpcRequest request, ReplyReader<T> reader) {
        RSocket rsocket = live;
        if (rsocket != null && !rsocket.isDisposed()) {
            // The connection is up and there is one server: nothing to wait for or to retry.
            return new RSocketExchange<>(rsocket, request, reader, null);
        }
        long callId = request.callId();
        // The carrier is registered as the call is subscribed, before the connection exists, so
        // that a graceful cancel made while connecting waits for the request instead of being lost.
        // An abortive cancel goes from the outermost operator straight to the request: flatMap and
        // retryWhen may drop a cancel that races with their own subscriptions.
        return Mono.defer(() -> {
            Carrier carrier = register(callId);
            return Mono.defer(() -> connected().flatMap(r -> new RSocketExchange<>(r, request, reader, carrier)))
                    .retryWhen(RETRY_UNSENT)
                    .doFinally(signal -> unregister(callId, carrier))
                    .doOnCancel(carrier::cancelAbortively);
        });
    }

    /** A new call's carrier, on the books under its id (a call without one is not looked up). */
    private Carrier register(long callId) {
        Carrier carrier = new Carrier();
        if (callId != RpcRequest.NO_CALL_ID) {
            carriers.put(callId, carrier);
        }
        return carrier;
    }

    private void unregister(long callId, Carrier carrier) {
        if (callId != RpcRequest.NO_CALL_ID) {
            carriers.remove(callId, carrier);
        }
    }

    private Mono<RSocket> connected() {
        RSocketClient current = client();
        return current.source()
                .flatMap(rsocket -> rsocket.isDisposed() ? afterLetGo(current, rsocket) : Mono.just(rsocket))
                .doOnNext(rsocket -> {
                    if (!balanced) {
                        live = rsocket;
                    }
                })
                .onErrorMap(error -> !(error instanceof RpcFault), error -> new RpcFault(RpcStatus.SERVER_UNAVAILABLE,
                        "could not connect to " + target + ": " + error.getMessage(), error));
    }

    /**
     * RSocket ends a connection's requester as soon as it learns the connection is over (a
     * keepalive timeout, an ERROR on stream 0), but the client lets go of it only once the
     * connection has closed, a moment later. A call in that moment waits for the close, at most
     * {@link #LET_GO_WAIT}, and asks again: the next connection, not the dead one, carries it.
     */
    private Mono<RSocket> afterLetGo(RSocketClient current, RSocket ended) {
        return ended.onClose()
                .onErrorResume(error -> Mono.empty())
                .timeout(LET_GO_WAIT, Mono.empty())
                .then(Mono.defer(current::source))
                .flatMap(rsocket -> rsocket.isDisposed()
                        ? Mono.error(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no live connection to " + target))
                        : Mono.just(rsocket));
    }

    /** No connection could be made, or the balancer had no server to make one to: the request never went out. */
    private static boolean neverSent(Throwable error) {
        return error instanceof RpcFault
                && (error.getCause() instanceof ConnectException || error.getCause() instanceof CancellationException);
    }

    private static Mono<Void> afterCurrentTask() {
        EventExecutor eventLoop = ThreadExecutorMap.currentExecutor();
        if (eventLoop == null) {
            return Mono.empty();
        }
        return Mono.create(sink -> eventLoop.execute(sink::success));
    }

    static Payload toPayload(RpcRequest request) {
        long timeoutMillis = request.timeout() == null ? 0 : Math.max(1, request.timeout().toMillis());
        ByteBuf metadata = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, request.method(),
                request.callId(), timeoutMillis);
        ByteBuf data;
        try {
            data = Payloads.direct(request.payload());
        }
        catch (Throwable error) {
            metadata.release();
            throw error;
        }
        return ByteBufPayload.create(data, metadata);
    }

    @Override
    public void cancelGracefully(long callId) {
        Carrier carrier = carriers.get(callId);
        if (carrier == null) {
            // A call on the fast path went out on the one server's live RSocket as it was made;
            // the notice follows it there. (For a call that has ended, or whose connection has
            // gone since, the server finds no such call and lets the notice lapse.)
            RSocket rsocket = live;
            if (!balanced && rsocket != null && !rsocket.isDisposed()) {
                sendCancel(rsocket, callId);
            }
            return;
        }
        RSocket rsocket = carrier.cancel();
        if (rsocket != null) {
            sendCancel(rsocket, callId);
        }
    }

    static void sendCancel(RSocket rsocket, long callId) {
        ByteBuf metadata = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, callId);
        rsocket.metadataPush(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, metadata))
                .subscribe(null, error -> log.debug("Graceful cancel of call {} not sent: {}", callId, error.toString()));
    }

    @Override
    public Mono<Void> onClose() {
        return balanced ? disposed.asMono() : client.rsocketClient.onClose();
    }

    @Override
    public void dispose() {
        closed = true;
        disposed.tryEmitEmpty();
        RSocketClient current = client.rsocketClient;
        // A client whose connect failed has terminated itself; disposing it again would report
        // its "Disposed" error as dropped.
        if (!current.isDisposed()) {
            current.dispose();
        }
    }

    @Override
    public boolean isDisposed() {
        return balanced ? closed : client.rsocketClient.isDisposed();
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
    static final class Carrier {

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
