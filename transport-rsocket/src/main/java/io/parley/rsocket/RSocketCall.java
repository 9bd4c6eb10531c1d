package io.parley.rsocket;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;

/**
 * One call's handle on an {@link RSocketConnection}: its request-response, and the subscriber of
 * it. Cancels made before the request is out are recorded in {@link #state} and applied when it
 * is (gRPC-Java's {@code DelayedStream} does the same); after that each passes straight to
 * RSocket. Because the handle is a plain object and not a chain of Reactor operators, there is
 * no operator whose own subscription can race with a cancel and drop it.
 *
 * <p>The call knows whether its request went out: until it subscribes to RSocket's request, it
 * is connecting, and a failure then (no connection could be made) leaves it free to try another
 * server of a balancer. Once subscribed, it is sent, and is never sent again.
 */
final class RSocketCall implements TransportCall, CoreSubscriber<Payload> {

    /** How many servers a call not yet sent tries before it ends with {@code RPC_S_SERVER_UNAVAILABLE}. */
    static final int MAX_CONNECT_ATTEMPTS = 3;
    /** RSocket's frame limit without fragmentation (a 24-bit frame length). */
    static final int MAX_FRAME_LENGTH = 0xFF_FFFF;
    /** A request frame's header with metadata: frame length, stream id, type and flags, metadata length. */
    private static final int REQUEST_FRAME_OVERHEAD = 12;

    /** Bit: cancelled abortively; the request is not sent if it has not been. */
    private static final int CANCELLED = 1;
    /** Bit: a graceful cancel was asked for. */
    private static final int GRACEFUL = 1 << 1;
    /** Bit: the request is out on {@link #rsocket}; whoever sets the second of this and GRACEFUL sends the notice. */
    private static final int SENT = 1 << 2;

    private static final AtomicIntegerFieldUpdater<RSocketCall> STATE =
            AtomicIntegerFieldUpdater.newUpdater(RSocketCall.class, "state");
    private static final AtomicReferenceFieldUpdater<RSocketCall, Subscription> UPSTREAM =
            AtomicReferenceFieldUpdater.newUpdater(RSocketCall.class, Subscription.class, "upstream");

    private final RSocketConnection connection;
    private final RpcRequest request;
    private volatile int state;
    private volatile @Nullable Subscription upstream;
    private volatile @Nullable Disposable connecting;
    private volatile @Nullable RSocket rsocket;
    private @Nullable Listener listener;
    private int attempts;

    RSocketCall(RSocketConnection connection, RpcRequest request) {
        this.connection = connection;
        this.request = request;
    }

    @Override
    public void start(Listener listener) {
        this.listener = listener;
        RpcFault refused = tooLarge(request);
        if (refused != null) {
            listener.onFault(refused);
            return;
        }
        RSocket live = connection.live();
        if (live != null) {
            send(live);
        }
        else {
            connect();
        }
    }

    /** A request that cannot go out as one frame: a caller's error, said as such, not a transport failure. */
    private static @Nullable RpcFault tooLarge(RpcRequest request) {
        long size = (long) request.payload().remaining() + ParleyMetadataCodec.requestLength(request.method())
                + REQUEST_FRAME_OVERHEAD;
        if (size <= MAX_FRAME_LENGTH) {
            return null;
        }
        return new RpcFault(RpcStatus.INVALID_ARG, "the request of '" + request.method() + "' is "
                + request.payload().remaining() + " bytes, over RSocket's frame limit of " + MAX_FRAME_LENGTH
                + " bytes with its metadata");
    }

    private void connect() {
        attempts++;
        Disposable d = connection.connected().subscribe(this::send, this::connectFailed);
        connecting = d;
        if ((state & CANCELLED) != 0) {
            d.dispose();
        }
    }

    /** Nothing was sent: another server of a balancer may take the call. */
    private void connectFailed(Throwable error) {
        if ((state & CANCELLED) != 0) {
            return;
        }
        if (connection.balanced() && attempts < MAX_CONNECT_ATTEMPTS) {
            connection.retarget();
            connect();
            return;
        }
        Listener l = listener;
        if (l != null) {
            l.onFault(FaultCodec.toFault(error));
        }
    }

    private void send(RSocket on) {
        if ((state & CANCELLED) != 0) {
            return;
        }
        Payload payload;
        try {
            payload = RSocketConnection.toPayload(request);
        }
        catch (Throwable error) {
            Listener l = listener;
            if (l != null) {
                l.onFault(FaultCodec.toFault(error));
            }
            return;
        }
        rsocket = on;
        // The subscriber requests as it subscribes, so the REQUEST_RESPONSE frame is queued: a
        // graceful cancel sent after it on the same connection cannot overtake it.
        on.requestResponse(payload).subscribe(this);
        if ((addFlags(SENT) & GRACEFUL) != 0) {
            sendGracefulCancel(on);
        }
    }

    @Override
    public void cancel() {
        addFlags(CANCELLED);
        Disposable d = connecting;
        if (d != null) {
            d.dispose();
        }
        Operators.terminate(UPSTREAM, this);
    }

    @Override
    public void cancelGracefully() {
        int previous = addFlags(GRACEFUL);
        RSocket on = rsocket;
        if ((previous & (SENT | GRACEFUL)) == SENT && on != null) {
            sendGracefulCancel(on);
        }
    }

    private void sendGracefulCancel(RSocket on) {
        if (request.callId() != RpcRequest.NO_CALL_ID) {
            RSocketConnection.sendCancel(on, request.callId());
        }
    }

    private int addFlags(int flags) {
        for (;;) {
            int s = state;
            if ((s & flags) == flags || STATE.compareAndSet(this, s, s | flags)) {
                return s;
            }
        }
    }

    @Override
    public void onSubscribe(Subscription s) {
        if (Operators.setOnce(UPSTREAM, this, s)) {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(Payload payload) {
        try {
            Listener l = listener;
            if (l != null) {
                l.onNext(payload.getData());
            }
        }
        finally {
            payload.release();
        }
    }

    @Override
    public void onError(Throwable error) {
        Listener l = listener;
        if (l != null) {
            l.onFault(FaultCodec.toFault(error));
        }
    }

    @Override
    public void onComplete() {
        Listener l = listener;
        if (l != null) {
            l.onComplete();
        }
    }
}
