package io.parley.rsocket;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.parley.core.Credentials;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ConnectionInfo;
import io.parley.core.transport.ServerSession;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketServer;
import io.rsocket.core.Resume;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.SocketAcceptor;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.Closeable;
import io.rsocket.transport.ServerTransport;
import io.rsocket.transport.ServerTransport.ConnectionAcceptor;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Accepts each RSocket connection as a session of Parley's server, and closes them all when the
 * server stops. A connection is one Parley session; with resumption, the session is RSocket's
 * resumable session, which outlives the TCP connections it is carried on.
 */
final class ParleySocketAcceptor implements SocketAcceptor {

    private final CallAcceptor acceptor;
    private final Set<RSocket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    /** How long a resumable session waits for its client; {@code null} without resumption. */
    private final @Nullable Duration resume;
    /** What hands out the server's capacity as leases; {@code null} without leases. */
    private final @Nullable LeaseDealer leases;

    ParleySocketAcceptor(CallAcceptor acceptor) {
        this(acceptor, null, null);
    }

    ParleySocketAcceptor(CallAcceptor acceptor, @Nullable Duration resume, @Nullable LeaseDealer leases) {
        this.acceptor = acceptor;
        this.resume = resume;
        this.leases = leases;
    }

    /** What a request's metadata may add to its data while RSocket reassembles it. */
    private static final int METADATA_ALLOWANCE = 64 * 1024;

    /**
     * The RSocket server for these connections. Its reassembly limit is the Parley server's
     * request limit, so a request sent in fragments is refused as soon as the bytes that arrived
     * pass it, not buffered whole first. Each connection's SETUP is checked first ({@link SetupCheck}).
     */
    RSocketServer server() {
        RSocketServer server = RSocketServer.create(this)
                .interceptors(registry -> registry.forConnection(SetupCheck.interceptor()))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .maxInboundPayloadSize(reassemblyLimit(acceptor.maxInboundPayloadSize()));
        Duration window = resume;
        if (window != null) {
            // The client's keepalives tell what it has received, so that the frames kept for a
            // resumption are only those it may still need.
            server.resume(new Resume().sessionDuration(window).cleanupStoreOnKeepAlive());
        }
        LeaseDealer dealer = leases;
        if (dealer != null) {
            // RSocket asks for a lease sender at each SETUP: one per connection.
            server.lease(spec -> spec.sender(dealer.newConnection()));
        }
        return server;
    }

    /**
     * RSocket's reassembly limit for a payload limit: the limit plus the metadata's allowance.
     * RSocket takes no limit below its frame length (16 MiB), and a single frame within that is
     * read whole anyway; the receiver refuses one over its limit once it is decoded.
     */
    static int reassemblyLimit(int maxInboundPayloadSize) {
        long limit = (long) maxInboundPayloadSize + METADATA_ALLOWANCE;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(FrameLengthCodec.FRAME_LENGTH_MASK, limit));
    }

    /**
     * What {@link #accept} learns of the connection a SETUP came on, through its Reactor context:
     * where it comes from, when it closes, and the transport's connection itself.
     */
    private record Connection(@Nullable SocketAddress remoteAddress, Mono<Void> onClose, DuplexConnection transport) {
    }

    /**
     * An RSocket server transport whose connections tell {@link #accept} where they come from:
     * RSocket subscribes to the setup's acceptance inside the {@code Mono} a connection acceptor
     * returns, so a context written there reaches it.
     */
    @SuppressWarnings("overloads") // the other takes a ConnectionAcceptor, which is no ServerTransport
    static <T extends Closeable> ServerTransport<T> withRemoteAddress(ServerTransport<T> transport) {
        return new ServerTransport<T>() {
            @Override
            public Mono<T> start(ConnectionAcceptor acceptor) {
                return transport.start(withRemoteAddress(acceptor));
            }

            @Override
            public int maxFrameLength() {
                return transport.maxFrameLength();
            }
        };
    }

    /**
     * A connection acceptor that tells {@link #accept} where each connection comes from, and lets
     * it hear the connection close before RSocket cancels the connection's streams: a call then
     * ends as the connection's loss, not as a client's cancel.
     *
     * <p>A connection whose acceptance fails is closed. RSocket-Java's acceptance fails, without
     * closing anything, when it cannot read a connection's first frame (a type it does not know,
     * a SETUP cut short); Reactor Netty closes a TCP or WebSocket connection then, but the local
     * transport would keep the connection open for good.
     */
    @SuppressWarnings("overloads") // a ServerTransport is no ConnectionAcceptor: a lambda picks this one
    static ConnectionAcceptor withRemoteAddress(ConnectionAcceptor acceptor) {
        return connection -> acceptor.apply(connection)
                .doOnError(error -> connection.dispose())
                .contextWrite(Context.of(Connection.class, new Connection(connection.remoteAddress(), connection.onClose(), connection)));
    }

    @Override
    public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket sendingSocket) {
        return Mono.deferContextual(context -> accept(setup, sendingSocket, context.getOrDefault(Connection.class, null)));
    }

    private Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket sendingSocket, @Nullable Connection connection) {
        SocketAddress remote = connection != null ? connection.remoteAddress() : null;
        // Read before the fields below: RSocket-Java moves the frame's reader index and leaves it
        // moved when a field runs past the frame's end, and the flags would be read wrong after.
        boolean resumable = resume != null && setup.isResumeEnabled();
        if (closed) {
            return refuse(resumable, connection, stopped());
        }
        if (leases != null && !setup.willClientHonorLease()) {
            // RSocket's server sends its leases whether or not the client asked for them, and
            // RSocket's client, not asking, fails on the first and closes the connection.
            return refuse(resumable, connection, new RejectedSetupException(FaultCodec.text(new RpcFault(RpcStatus.PROTOCOL_ERROR,
                    "this server hands out RSocket leases and serves only clients that honour them "
                    + "(RSocketClientTransport.leases(), or the LEASE flag in SETUP)"))));
        }
        String metadataMimeType;
        String dataMimeType;
        @Nullable ByteBuf metadata;
        try {
            metadataMimeType = setup.metadataMimeType();
            dataMimeType = setup.dataMimeType();
            metadata = setup.hasMetadata() ? setup.metadata() : null;
        }
        catch (RuntimeException e) {
            // RSocket-Java reads these fields only when asked, and throws on one that runs past the
            // frame (it reads a MIME type's length as a signed byte): its message is no answer.
            return refuse(resumable, connection, new RejectedSetupException(FaultCodec.text(new RpcFault(RpcStatus.PROTOCOL_ERROR,
                    "malformed SETUP frame: its MIME types or metadata run past its end"))));
        }
        boolean composite = !ParleyMetadataCodec.ROUTING_MIME_TYPE.equals(metadataMimeType);
        Credentials credentials;
        try {
            credentials = composite && metadata != null ? ParleyMetadataCodec.decodeSetup(metadata) : null;
        }
        catch (ParleyMetadataCodec.MalformedMetadataException e) {
            return refuse(resumable, connection, new RejectedSetupException(FaultCodec.text(
                    new RpcFault(RpcStatus.PROTOCOL_ERROR, "malformed SETUP metadata: " + e.getMessage()))));
        }
        ServerSession session;
        try {
            session = acceptor.openSession(new ConnectionInfo(dataMimeType, remote, credentials));
        }
        catch (RpcFault fault) {
            return refuse(resumable, connection, new RejectedSetupException(FaultCodec.text(fault)));
        }
        connections.add(sendingSocket);
        if (closed) {
            // closeAll ran between the check above and the add, and may not have seen this one.
            closed(sendingSocket, session);
            return refuse(resumable, connection, stopped());
        }
        sendingSocket.onClose().subscribe(null, error -> closed(sendingSocket, session), () -> closed(sendingSocket, session));
        if (connection != null && !resumable) {
            // Subscribed before RSocket's responder, which cancels the connection's streams when it closes.
            connection.onClose().subscribe(null, error -> closed(sendingSocket, session), () -> closed(sendingSocket, session));
        }
        // A resumable session outlives its first connection: its calls learn of its end from the
        // requester, which RSocket ends before it cancels the responder's streams.
        return Mono.just(new ParleyResponder(session, composite, resumable ? sendingSocket : null));
    }

    /**
     * Refuses a SETUP. RSocket-Java sends the refusal and closes the connection; but for a SETUP
     * that asks to resume its session, on a server that resumes sessions, RSocket-Java 1.1.5
     * writes the refusal to the session's resumable connection after it has let go of the
     * transport's, which then never carries it, nor closes: the client waits for an answer that
     * never comes. There the refusal goes out on the transport's connection itself, which closes
     * after it.
     */
    private static Mono<RSocket> refuse(boolean resumable, @Nullable Connection connection, RejectedSetupException refusal) {
        if (resumable && connection != null) {
            connection.transport().sendErrorAndClose(refusal);
        }
        return Mono.error(refusal);
    }

    private void closed(RSocket connection, ServerSession session) {
        connections.remove(connection);
        session.close();
    }

    private static RejectedSetupException stopped() {
        return new RejectedSetupException(FaultCodec.text(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the server has stopped")));
    }

    /** Closes every open connection, and refuses the connections that come after. */
    void closeAll() {
        closed = true;
        LeaseDealer dealer = leases;
        if (dealer != null) {
            dealer.dispose();
        }
        connections.forEach(RSocket::dispose);
    }
}
