package io.parley.core.transport;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;

import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Scannable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A transport inside one JVM: servers bind to a name, clients connect to it. Nothing is
 * serialized beyond the codec's own bytes, and every request is handled on a
 * {@code Schedulers.parallel()} worker of its connection, which stands in for a network
 * connection's event loop: requests and graceful notices arrive in the order sent, and a handler
 * that blocks there is caught by BlockHound as it would be on Netty.
 *
 * <pre>{@code
 * ParleyServer server = ParleyServer.builder()
 *         .method(ServerMethod.mono("echo", String.class, Mono::just))
 *         .transport(InProcessTransport.server("demo"))
 *         .bindNow();
 * ParleyClient client = ParleyClient.builder()
 *         .transport(InProcessTransport.client("demo"))
 *         .build();
 * }</pre>
 */
public final class InProcessTransport {

    private static final ConcurrentMap<String, Bound> SERVERS = new ConcurrentHashMap<>();

    private InProcessTransport() {
    }

    /**
     * A server transport bound to a name; binding fails if a server holds the name already.
     *
     * @param name the name clients connect to
     * @return the server transport
     */
    public static ServerTransport server(String name) {
        requireName(name);
        return acceptor -> Mono.fromCallable(() -> {
            Bound bound = new Bound(name, acceptor);
            if (SERVERS.putIfAbsent(name, bound) != null) {
                throw new IllegalStateException("name: '" + name + "' (expected: a name no in-process server is bound to)");
            }
            return bound;
        });
    }

    /**
     * A client transport that connects to the server bound to a name.
     *
     * @param name the server's name
     * @return the client transport
     */
    public static ClientTransport client(String name) {
        requireName(name);
        return new ClientTransport() {
            @Override
            public ClientConnection connect(ClientSetup setup) {
                return new Channel(name, setup);
            }

            @Override
            public String toString() {
                return "in-process:" + name;
            }
        };
    }

    private static void requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name: \"\" (expected: a non-empty name)");
        }
    }

    private static final class Bound implements TransportServer {

        private final String name;
        private final CallAcceptor acceptor;
        private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
        private final Sinks.Empty<Void> closed = Sinks.empty();

        Bound(String name, CallAcceptor acceptor) {
            this.name = name;
            this.acceptor = acceptor;
        }

        Connection connect(ClientSetup setup) {
            Connection connection = new Connection(this, acceptor.openSession(
                    new ConnectionInfo(setup.dataMimeType(), null, setup.credentials())));
            connections.add(connection);
            if (isDisposed()) {
                connection.dispose();
            }
            return connection;
        }

        @Override
        public String address() {
            return "in-process:" + name;
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public void dispose() {
            if (SERVERS.remove(name, this)) {
                connections.forEach(Connection::dispose);
                closed.tryEmitEmpty();
            }
        }

        @Override
        public boolean isDisposed() {
            return SERVERS.get(name) != this;
        }
    }

    /**
     * A client's connection: the server's session it currently talks to, looked up again by name
     * when there is none or it has closed (the server was disposed and perhaps bound again).
     */
    private static final class Channel implements ClientConnection {

        private final String name;
        private final ClientSetup setup;
        private volatile @Nullable Connection current;
        private volatile boolean disposed;

        Channel(String name, ClientSetup setup) {
            this.name = name;
            this.setup = setup;
        }

        @Override
        public TransportCall newCall(RpcRequest request) {
            return new InProcessCall(this, request);
        }

        /** The live connection, made now if there is none. */
        Connection connection() {
            for (;;) {
                if (disposed) {
                    throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the client is disposed");
                }
                Connection c = current;
                if (c != null && !c.isDisposed()) {
                    return c;
                }
                Bound bound = SERVERS.get(name);
                if (bound == null) {
                    throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no in-process server is bound to '" + name + "'");
                }
                Connection fresh = bound.connect(setup);
                synchronized (this) {
                    if (current == c && !disposed) {
                        current = fresh;
                        return fresh;
                    }
                }
                fresh.dispose();
            }
        }

        @Override
        public void dispose() {
            disposed = true;
            Connection c;
            synchronized (this) {
                c = current;
            }
            if (c != null) {
                c.dispose();
            }
        }

        @Override
        public boolean isDisposed() {
            return disposed;
        }

        @Override
        public String toString() {
            return "InProcessConnection{in-process:" + name + "}";
        }
    }

    /**
     * One call on an in-process connection: its request is handed to the server's session on the
     * connection's worker, as a network would deliver it, and a graceful notice follows it there.
     */
    private static final class InProcessCall extends AbstractTransportCall implements CoreSubscriber<ByteBuffer> {

        private final Channel channel;
        private final RpcRequest request;
        private volatile @Nullable Connection connection;

        InProcessCall(Channel channel, RpcRequest request) {
            this.channel = channel;
            this.request = request;
        }

        @Override
        protected void send() {
            try {
                Connection c = channel.connection();
                connection = c;
                c.ordered().schedule(() -> {
                    if (isCancelled()) {
                        return;
                    }
                    if (request.interaction() == Interaction.FIRE_AND_FORGET) {
                        // Nothing comes back: the call is done once the server has the request.
                        c.session.handle(copy(request)).subscribe(null, fault -> { });
                        sent();
                        listener().onComplete();
                        return;
                    }
                    c.session.handle(copy(request)).subscribe(this);
                    sent();
                });
            }
            catch (RpcFault fault) {
                listener().onFault(fault);
            }
            catch (RejectedExecutionException e) {
                listener().onFault(new RpcFault(RpcStatus.COMM_FAILURE, "the connection closed before the call was sent"));
            }
        }

        @Override
        protected void sendGracefulCancel() {
            Connection c = connection;
            if (c == null) {
                return;
            }
            try {
                if (isDeadlineNotice()) {
                    c.ordered().schedule(() -> c.session.deadlinePassed(request.callId()));
                }
                else {
                    c.ordered().schedule(() -> c.session.cancelGracefully(request.callId()));
                }
            }
            catch (RejectedExecutionException e) {
                // The connection closed: the call ends with it, and the notice has nobody to tell.
            }
        }

        /** The server gets its own bytes, as it would from a network; a channel's further requests too. */
        private static RpcRequest copy(RpcRequest request) {
            Publisher<ByteBuffer> more = request.more();
            return new RpcRequest(request.method(), request.callId(), request.timeout(), copy(request.payload()),
                    request.interaction(), more == null ? null : Flux.from(more).map(InProcessCall::copy),
                    request.metadata(), request.credentials());
        }

        private static ByteBuffer copy(ByteBuffer bytes) {
            ByteBuffer copy = ByteBuffer.allocate(bytes.remaining());
            copy.put(bytes.duplicate()).flip();
            return copy;
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
        public void onError(Throwable error) {
            listener().onFault(copyOf(error));
        }

        @Override
        public void onComplete() {
            listener().onComplete();
        }

        /**
         * The fault as a network would deliver it: code and detail, not the server's own object
         * with its cause, stack trace and whatever was added to it since.
         */
        private static RpcFault copyOf(Throwable error) {
            if (error instanceof RpcFault) {
                RpcFault fault = (RpcFault) error;
                return new RpcFault(fault.faultCode(), fault.detail());
            }
            return new RpcFault(RpcStatus.CALL_FAILED, "the server failed: " + error.getClass().getSimpleName());
        }
    }

    /** The server side of one client connection: a session and the worker that feeds it. */
    private static final class Connection implements Disposable {

        private final Bound server;
        private final ServerSession session;
        private final Sinks.Empty<Void> closed = Sinks.empty();
        /**
         * The connection's "event loop", as a network connection's channel has one: a single
         * parallel worker, so a request and the graceful notice that follows it reach the session
         * in the order sent. Taken on first use, so a connection made before a test installs
         * virtual time still runs on it. Wrapped with fromExecutor so that cancelling a call
         * never interrupts the thread its handler runs on.
         */
        private volatile Scheduler.@Nullable Worker loop;
        private volatile @Nullable Scheduler ordered;

        Connection(Bound server, ServerSession session) {
            this.server = server;
            this.session = session;
        }

        synchronized Scheduler ordered() {
            Scheduler s = ordered;
            if (s == null) {
                Scheduler.Worker w = Schedulers.parallel().createWorker();
                loop = w;
                s = Schedulers.fromExecutor(w::schedule);
                ordered = s;
                if (isDisposed()) {
                    w.dispose();
                }
            }
            return s;
        }

        @Override
        public void dispose() {
            if (closed.tryEmitEmpty().isSuccess()) {
                server.connections.remove(this);
                session.close();
                Scheduler.Worker w = loop;
                if (w != null) {
                    w.dispose();
                }
            }
        }

        @Override
        public boolean isDisposed() {
            return closed.scan(Scannable.Attr.TERMINATED) == Boolean.TRUE;
        }

        @Override
        public String toString() {
            return "InProcessConnection{" + server.address() + "}";
        }
    }
}
