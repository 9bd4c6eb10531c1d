package io.parley.jcstress;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

import io.parley.core.client.CallOptions;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.BytesCodec;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;

/**
 * One client call and the transport under it, which the test plays: the actors deliver the
 * server's reply through the call's {@link TransportCall.Listener}, and the rig counts what the
 * call asked of the transport (abortive cancels, graceful notices, deadline notices). The call is
 * made with the client's default retry policy, so its transport handle is the retrying one, as
 * for every call in production; the attempt it starts is the rig's. Making the call runs in the
 * thread that makes the rig.
 */
final class ClientRig {

    private static final ByteBuffer REQUEST = ByteBuffer.wrap(new byte[] {1}).asReadOnlyBuffer();
    private static final ByteBuffer REPLY = ByteBuffer.wrap(new byte[] {2}).asReadOnlyBuffer();

    private static final ThreadLocal<Attempt> MADE = new ThreadLocal<>();
    private static final ParleyClient CLIENT = ParleyClient.builder()
            .codec(BytesCodec.create())
            .transport(setup -> new Connection())
            .build();

    /** The transport's handle of the call's one attempt. */
    final Attempt transport;
    /** The timers the call scheduled, in order: the graceful bound's, then the abortive one's, each if set. */
    final List<Runnable> timers;

    private ClientRig(Runnable makeCall, int timers) {
        this.timers = Timers.catching(makeCall, timers);
        Attempt made = MADE.get();
        MADE.remove();
        if (made == null || !made.started()) {
            throw new IllegalStateException("the call did not reach the transport");
        }
        this.transport = made;
    }

    /** A handle call ({@code ParleyClient.start}) in WComp, with the options given. */
    static Handle start(CallOptions options, int timers) {
        AtomicReference<ClientCall<ByteBuffer>> made = new AtomicReference<>();
        ClientRig rig = new ClientRig(() -> made.set(CLIENT.start("race", REQUEST.duplicate(), ByteBuffer.class, options)), timers);
        return new Handle(made.get(), rig);
    }

    /** A {@code Mono} call subscribed to by {@code subscriber}, in WComp, without a timeout. */
    static ClientRig subscribe(Signals<ByteBuffer> subscriber) {
        return new ClientRig(() -> CLIENT.call("race", REQUEST.duplicate(), ByteBuffer.class).subscribe(subscriber), 0);
    }

    /** A call made with {@link #start}: its handle, and the rig under it. */
    static final class Handle {

        final ClientCall<ByteBuffer> call;
        final ClientRig rig;

        Handle(ClientCall<ByteBuffer> call, ClientRig rig) {
            this.call = call;
            this.rig = rig;
        }

        /** {@code RpcAsyncCompleteCall} on the client: the status, and whether a reply came with it. */
        String complete() {
            boolean[] replied = new boolean[1];
            String status = call.complete(reply -> replied[0] = reply.remaining() == 1 && reply.get(0) == 2).name();
            return status + (replied[0] ? " with reply" : "");
        }
    }

    /** The rig's connection: each call's attempt is a fresh {@link Attempt}, handed to the rig of the thread that makes the call. */
    private static final class Connection implements ClientConnection {

        private volatile boolean disposed;

        @Override
        public TransportCall newCall(RpcRequest request) {
            Attempt attempt = new Attempt();
            MADE.set(attempt);
            return attempt;
        }

        @Override
        public void dispose() {
            disposed = true;
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }
    }

    /** One attempt on the transport: what the call asks of it, counted; what the server sends, delivered by {@link #reply()}. */
    static final class Attempt implements TransportCall {

        private static final AtomicIntegerFieldUpdater<Attempt> CANCELS =
                AtomicIntegerFieldUpdater.newUpdater(Attempt.class, "cancels");
        private static final AtomicIntegerFieldUpdater<Attempt> GRACEFUL =
                AtomicIntegerFieldUpdater.newUpdater(Attempt.class, "graceful");
        private static final AtomicIntegerFieldUpdater<Attempt> DEADLINE =
                AtomicIntegerFieldUpdater.newUpdater(Attempt.class, "deadline");

        private volatile @Nullable Listener listener;
        private volatile int cancels;
        private volatile int graceful;
        private volatile int deadline;

        @Override
        public void start(Listener l) {
            listener = l;
        }

        boolean started() {
            return listener != null;
        }

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            CANCELS.incrementAndGet(this);
        }

        @Override
        public void cancelGracefully() {
            GRACEFUL.incrementAndGet(this);
        }

        @Override
        public void deadlinePassed() {
            DEADLINE.incrementAndGet(this);
        }

        /**
         * The server's reply and end arrive, as a transport signals them: serially, and whether or
         * not the call has cancelled meanwhile (a reply may cross the CANCEL on the wire).
         */
        void reply() {
            Listener l = listener;
            if (l == null) {
                throw new IllegalStateException("not started");
            }
            l.onNext(REPLY.duplicate());
            l.onComplete();
        }

        /** How many abortive cancels reached the transport. */
        int cancels() {
            return cancels;
        }

        /** The graceful notices that reached the transport, in one word: {@code none}, {@code graceful}, {@code deadline}, or both with counts. */
        String notices() {
            int g = graceful;
            int d = deadline;
            if (g == 0 && d == 0) {
                return "none";
            }
            if (g == 1 && d == 0) {
                return "graceful";
            }
            if (g == 0 && d == 1) {
                return "deadline";
            }
            return "graceful x" + g + " deadline x" + d;
        }
    }
}
