package io.parley.jcstress;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;

import org.reactivestreams.Subscription;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.BytesCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.AbstractTransportCall;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.ServerSession;
import io.parley.core.transport.TransportCall;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Mono;

/**
 * One call from Parley's client to Parley's server, over a transport that passes every signal
 * straight on in the thread that makes it: the request, the reply and its end, the fault, the
 * CANCEL and the graceful notice. So the client's call state machine and the server's meet with
 * nothing in between that could reorder them, and an actor's cancel has reached the server by the
 * time it returns. Making the call, and its dispatch to the handler, run in the thread that makes
 * the rig.
 */
final class DirectRig {

    private static final ByteBuffer REQUEST = ByteBuffer.wrap(new byte[] {1}).asReadOnlyBuffer();
    private static final ByteBuffer REPLY = ByteBuffer.wrap(new byte[] {2}).asReadOnlyBuffer();

    private static final ThreadLocal<AsyncCall<ByteBuffer>> HANDED = new ThreadLocal<>();
    private static final ParleyClient CLIENT = connect();

    /** The client's handle of the call. */
    final ClientCall<ByteBuffer> client;
    /** The server's handle of the call, held by its handler. */
    final AsyncCall<ByteBuffer> server;

    DirectRig() {
        client = CLIENT.start("race", REQUEST.duplicate(), ByteBuffer.class);
        AsyncCall<ByteBuffer> handed = HANDED.get();
        HANDED.remove();
        if (handed == null) {
            throw new IllegalStateException("the call did not reach the handler: " + client.status());
        }
        server = handed;
    }

    /** A reply: a fresh view each time, as a handler's own would be. */
    static ByteBuffer reply() {
        return REPLY.duplicate();
    }

    /** {@code RpcAsyncCompleteCall} on the client: the status, and whether the server's reply came with it. */
    String completeOnClient() {
        boolean[] replied = new boolean[1];
        String status = client.complete(reply -> replied[0] = reply.remaining() == 1 && reply.get(0) == 2).name();
        return status + (replied[0] ? " with reply" : "");
    }

    private static ParleyClient connect() {
        AtomicReference<CallAcceptor> acceptor = new AtomicReference<>();
        ParleyServer.builder()
                .codec(BytesCodec.create())
                .method(ServerMethod.async("race", ByteBuffer.class, (ByteBuffer request, AsyncCall<ByteBuffer> call) -> HANDED.set(call)))
                .transport(a -> {
                    acceptor.set(a);
                    return Mono.just(new ServerRig.NoNetwork());
                })
                .bindNow();
        return ParleyClient.builder()
                .codec(BytesCodec.create())
                .transport(setup -> new Connection(acceptor.get().openSession(setup.dataMimeType())))
                .build();
    }

    /** The client's connection: one session on the server, as for one network connection. */
    private static final class Connection implements ClientConnection {

        private final ServerSession session;
        private volatile boolean disposed;

        Connection(ServerSession session) {
            this.session = session;
        }

        @Override
        public TransportCall newCall(RpcRequest request) {
            return new Call(session, request);
        }

        @Override
        public void dispose() {
            disposed = true;
            session.close();
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }

    /** One call on the connection: the request handed to the session, its replies subscribed to, the cancels passed on. */
    private static final class Call extends AbstractTransportCall implements CoreSubscriber<ByteBuffer> {

        private final ServerSession session;
        private final RpcRequest request;

        Call(ServerSession session, RpcRequest request) {
            this.session = session;
            this.request = request;
        }

        @Override
        protected void send() {
            if (isCancelled()) {
                return;
            }
            session.handle(request).subscribe(this);
            sent();
        }

        @Override
        protected void sendGracefulCancel() {
            if (isDeadlineNotice()) {
                session.deadlinePassed(request.callId());
            }
            else {
                session.cancelGracefully(request.callId());
            }
        }

        @Override
        public void onSubscribe(Subscription s) {
            upstream(s);
        }

        @Override
        public void onNext(ByteBuffer reply) {
            listener().onNext(reply);
        }

        @Override
        public void onError(Throwable t) {
            listener().onFault(t instanceof RpcFault ? (RpcFault) t : new RpcFault(RpcStatus.COMM_FAILURE, t.toString()));
        }

        @Override
        public void onComplete() {
            listener().onComplete();
        }
    }
}
