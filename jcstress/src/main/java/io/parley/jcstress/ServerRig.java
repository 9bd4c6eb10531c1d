package io.parley.jcstress;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import io.parley.core.codec.BytesCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import io.parley.core.transport.TransportServer;
import reactor.core.publisher.Mono;

/**
 * One call dispatched on a server, as its transport drives it and sees it, with no network: the
 * transport's side is a {@link Signals} subscribed to the call's replies, its abortive cancel that
 * subscription's cancel, its graceful cancel the session's notice. The handler of the one method
 * only hands the {@link AsyncCall} over, so that the actors complete or abort it; dispatch runs in
 * the thread that makes the rig.
 *
 * <p>All calls share one server and one session, as the calls of one connection do; each has an
 * id of its own, and every test ends its call, so the session holds none for long.
 */
final class ServerRig {

    /** The fault code the tests abort with: the application's own, shown as {@code 0x0000BEEF}. */
    static final int FAULT = 0xBEEF;
    /** The bytes codec passes buffers through: what the actors time is the state machine, not JSON. */
    private static final ByteBuffer REQUEST = ByteBuffer.wrap(new byte[] {1}).asReadOnlyBuffer();
    private static final ByteBuffer REPLY = ByteBuffer.wrap(new byte[] {2}).asReadOnlyBuffer();
    /** Far beyond any run: the deadline passes only when an actor fires its timer. */
    private static final Duration NEVER = Duration.ofHours(1);

    private static final ThreadLocal<AsyncCall<ByteBuffer>> HANDED = new ThreadLocal<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final ServerSession SESSION = openSession();

    /** The server's handle of the call. */
    final AsyncCall<ByteBuffer> call;
    /** The transport's subscription to the call's replies: what it was sent, and the request's release. */
    final Signals<ByteBuffer> transport = new Signals<>();
    private final long id;
    private final @Nullable Runnable deadline;

    private ServerRig(boolean withDeadline) {
        id = IDS.incrementAndGet();
        RpcRequest request = new RpcRequest("race", id, withDeadline ? NEVER : null, REQUEST.duplicate());
        List<Runnable> timers = Timers.catching(() -> SESSION.handle(request, transport::release).subscribe(transport),
                withDeadline ? 1 : 0);
        deadline = withDeadline ? timers.get(0) : null;
        AsyncCall<ByteBuffer> handed = HANDED.get();
        HANDED.remove();
        if (handed == null) {
            throw new IllegalStateException("the call was not dispatched: " + transport.seen());
        }
        call = handed;
    }

    /** A call in state D, its handler holding it. */
    static ServerRig dispatch() {
        return new ServerRig(false);
    }

    /** A call in state D whose client set a timeout: its deadline is the server's timer, which {@link #deadlinePasses()} fires. */
    static ServerRig dispatchWithDeadline() {
        return new ServerRig(true);
    }

    /** A reply: a fresh view each time, as a handler's own would be. */
    static ByteBuffer reply() {
        return REPLY.duplicate();
    }

    /** The client's abortive cancel, as the transport passes it on: it cancels its subscription to the replies. */
    void cancelAbortively() {
        transport.cancel();
    }

    /** The client's graceful cancel, as the transport passes it on: the notice to the session. */
    void cancelGracefully() {
        SESSION.cancelGracefully(id);
    }

    /** The server's timer for the call's deadline fires. */
    void deadlinePasses() {
        Runnable d = deadline;
        if (d == null) {
            throw new IllegalStateException("the call has no deadline");
        }
        d.run();
    }

    private static ServerSession openSession() {
        AtomicReference<CallAcceptor> acceptor = new AtomicReference<>();
        ParleyServer.builder()
                .codec(BytesCodec.create())
                .method(ServerMethod.async("race", ByteBuffer.class, (ByteBuffer request, AsyncCall<ByteBuffer> call) -> HANDED.set(call)))
                .transport(a -> {
                    acceptor.set(a);
                    return Mono.just(new NoNetwork());
                })
                .bindNow();
        return acceptor.get().openSession(BytesCodec.MIME_TYPE);
    }

    /** The server's listening end, of a transport that has none. */
    static final class NoNetwork implements TransportServer {

        @Override
        public String address() {
            return "jcstress:no-network";
        }

        @Override
        public Mono<Void> onClose() {
            return Mono.never();
        }

        @Override
        public void dispose() {
        }
    }
}
