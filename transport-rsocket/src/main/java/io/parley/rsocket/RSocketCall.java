package io.parley.rsocket;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.AbstractTransportCall;
import io.parley.core.transport.Interaction;
import io.parley.core.transport.RpcRequest;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.lease.MissingLeaseException;
import io.rsocket.util.ByteBufPayload;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One call's handle on an {@link RSocketConnection}: its RSocket interaction (request-response,
 * request-stream, request-channel or fire-and-forget), and the subscriber of its replies. Cancels made before the request is out wait in {@link AbstractTransportCall} until it is.
 *
 * <p>The call knows whether its request went out: until it subscribes to RSocket's request, it
 * is connecting, and a failure then (no connection could be made) ends it as unsent
 * ({@link io.parley.core.transport.TransportCall.Listener#onNotSent}): the client's retry, the one
 * place calls are sent again, makes a new call, which a balancer gives another server (the failed
 * one has left its pool). Once subscribed, it is sent, and is never sent again; it still ends
 * as unsent when RSocket refuses it for want of a lease: the client's requester before it left,
 * or the server's responder with REJECTED, RSocket's word that the server did not process it.
 */
final class RSocketCall extends AbstractTransportCall implements CoreSubscriber<Payload> {

    /** RSocket's frame limit without fragmentation (a 24-bit frame length). */
    static final int MAX_FRAME_LENGTH = 0xFF_FFFF;
    /** A request frame's header with metadata: frame length, stream id, type and flags, metadata length. */
    private static final int REQUEST_FRAME_OVERHEAD = 12;
    /** The initial request-n of a REQUEST_STREAM or REQUEST_CHANNEL frame. */
    private static final int INITIAL_REQUEST_N = 4;
    private static final int MAX_REQUEST_METADATA = ParleyMetadataCodec.requestLength("m".repeat(RpcRequest.MAX_METHOD_BYTES));

    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    private final RSocketConnection connection;
    private final RpcRequest request;
    private volatile @Nullable Disposable connecting;
    private volatile @Nullable RSocket rsocket;
    /** 1 once the connection was told the call ended ({@link RSocketConnection#callEnded}). */
    private volatile int released;

    private static final AtomicIntegerFieldUpdater<RSocketCall> RELEASED =
            AtomicIntegerFieldUpdater.newUpdater(RSocketCall.class, "released");

    RSocketCall(RSocketConnection connection, RpcRequest request) {
        this.connection = connection;
        this.request = request;
    }

    @Override
    protected void send() {
        RpcFault refused = tooLarge(request);
        if (refused != null) {
            listener().onFault(refused);
            return;
        }
        RSocket live = connection.live();
        if (live != null) {
            sendOn(live);
        }
        else {
            connect();
        }
    }

    /** A request that cannot go out as one frame: a caller's error, said as such, not a transport failure. */
    private static @Nullable RpcFault tooLarge(RpcRequest request) {
        int data = request.payload().remaining();
        // A stream's and a channel's opening frame also carries the initial request-n.
        int overhead = REQUEST_FRAME_OVERHEAD + (request.interaction() == Interaction.REQUEST_STREAM
                || request.interaction() == Interaction.REQUEST_CHANNEL ? INITIAL_REQUEST_N : 0);
        // The method's length is counted only for a request that could need it (a name has at most 255 bytes).
        boolean plain = request.metadata().isEmpty() && request.credentials() == null;
        if ((plain && data <= MAX_FRAME_LENGTH - overhead - MAX_REQUEST_METADATA)
                || (long) data + ParleyMetadataCodec.requestLength(request) + overhead <= MAX_FRAME_LENGTH) {
            return null;
        }
        return new RpcFault(RpcStatus.INVALID_ARG, "the request of '" + request.method() + "' is "
                + request.payload().remaining() + " bytes, with " + ParleyMetadataCodec.requestLength(request)
                + " bytes of metadata over RSocket's frame limit of " + MAX_FRAME_LENGTH + " bytes");
    }

    private void connect() {
        Disposable d = connection.connected().subscribe(this::sendOn, this::connectFailed);
        connecting = d;
        if (isCancelled()) {
            d.dispose();
        }
    }

    /** Nothing was sent: the call ends unsent, for the client's retry to send anew. */
    private void connectFailed(Throwable error) {
        if (isCancelled()) {
            return;
        }
        if (error instanceof RSocketConnection.NoServerListed) {
            listener().onNotSent(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, error.getMessage()));
            return;
        }
        listener().onNotSent(FaultCodec.toFault(error));
    }

    private void sendOn(RSocket on) {
        if (!connection.callStarted(on)) {
            // The balancer let go of the server between its choice and now, and its connection closed.
            connectFailed(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the server left " + connection + " as the call was sent"));
            return;
        }
        rsocket = on;
        // Counted before the check: a cancel that comes after the check finds the server to release.
        if (isCancelled()) {
            release();
            return;
        }
        // The call's demand is requested as it subscribes, so the request frame is queued (for a
        // stream, once its subscriber has asked for items): a graceful cancel sent after it on
        // the same connection cannot overtake it.
        if (request.interaction() == Interaction.REQUEST_CHANNEL) {
            on.requestChannel(requests()).subscribe(this);
            sent();
            return;
        }
        Payload payload;
        try {
            payload = connection.toPayload(request);
        }
        catch (Throwable error) {
            release();
            listener().onFault(FaultCodec.toFault(error));
            return;
        }
        switch (request.interaction()) {
            case REQUEST_RESPONSE -> on.requestResponse(payload).subscribe(this);
            case REQUEST_STREAM -> on.requestStream(payload).subscribe(this);
            default -> subscribeToSent(on.fireAndForget(payload));
        }
        sent();
    }

    /** A fire-and-forget's {@code Mono} completes once the frame is queued, which ends the call. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void subscribeToSent(Mono<Void> sent) {
        sent.subscribe((CoreSubscriber) this);
    }

    /**
     * A channel's payloads: the first request with the call's metadata in the REQUEST_CHANNEL
     * frame (empty data if the client has none to send: RSocket sends nothing for an empty
     * publisher), the others as they are asked for. A request over RSocket's frame ends the call
     * with {@code RPC_S_INVALID_ARG}, as a unary one does.
     */
    private Flux<Payload> requests() {
        Publisher<ByteBuffer> more = request.more();
        Flux<ByteBuffer> all = request.payload().hasRemaining() ? Flux.just(request.payload()) : Flux.empty();
        boolean[] first = {true};
        return all.concatWith(more != null ? more : Flux.empty())
                .defaultIfEmpty(NO_DATA)
                .map(bytes -> {
                    if (first[0]) {
                        first[0] = false;
                        RpcRequest withFirst = request.withPayload(bytes);
                        RpcFault refused = tooLarge(withFirst);
                        if (refused != null) {
                            throw refused;
                        }
                        return connection.toPayload(withFirst);
                    }
                    if (bytes.remaining() > MAX_FRAME_LENGTH - REQUEST_FRAME_OVERHEAD) {
                        throw new RpcFault(RpcStatus.INVALID_ARG, "a request of '" + request.method() + "' is "
                                + bytes.remaining() + " bytes, over RSocket's frame limit of " + MAX_FRAME_LENGTH + " bytes");
                    }
                    return ByteBufPayload.create(Payloads.direct(bytes));
                });
    }

    @Override
    protected void abandonSending() {
        Disposable d = connecting;
        if (d != null) {
            d.dispose();
        }
        release();
    }

    /** Tells the connection, once, that the call no longer occupies the server it went to. */
    private void release() {
        RSocket on = rsocket;
        if (on != null && RELEASED.compareAndSet(this, 0, 1)) {
            connection.callEnded(on);
        }
    }

    @Override
    protected void sendGracefulCancel() {
        RSocket on = rsocket;
        if (on != null && request.callId() != RpcRequest.NO_CALL_ID) {
            RSocketConnection.sendCancel(on, request.callId(), isDeadlineNotice());
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        upstream(s);
    }

    @Override
    public void onNext(Payload payload) {
        try {
            listener().onNext(connection.reply(payload));
        }
        finally {
            payload.release();
        }
    }

    @Override
    public void onError(Throwable error) {
        release();
        if (error instanceof RejectedException) {
            // Refused by RSocket for want of a lease: by the client's requester, before the
            // request left, or by the server's responder, which guarantees it did not process it
            // (REJECTED). Either way no server ran the call, and it may be sent again.
            listener().onNotSent(new RpcFault(RpcStatus.SERVER_TOO_BUSY, (error instanceof MissingLeaseException
                    ? "no lease from " + connection.target() + " for the call, and "
                            + RSocketClientTransport.MAX_CALLS_AWAITING_LEASE + " calls already wait for one: "
                    : "the server refused the call unprocessed: ") + error.getMessage()));
            return;
        }
        listener().onFault(FaultCodec.toFault(error));
    }

    @Override
    public void onComplete() {
        release();
        listener().onComplete();
    }
}
