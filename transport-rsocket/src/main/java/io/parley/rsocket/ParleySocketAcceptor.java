package io.parley.rsocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerSession;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.SocketAcceptor;
import io.rsocket.exceptions.RejectedSetupException;
import reactor.core.publisher.Mono;

/**
 * Accepts each RSocket connection as a session of Parley's server, and closes them all when the
 * server stops.
 */
final class ParleySocketAcceptor implements SocketAcceptor {

    private final CallAcceptor acceptor;
    private final Set<RSocket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ParleySocketAcceptor(CallAcceptor acceptor) {
        this.acceptor = acceptor;
    }

    /** What a request's metadata may add to its data while RSocket reassembles it. */
    private static final int METADATA_ALLOWANCE = 64 * 1024;

    /**
     * The RSocket server for these connections. Its reassembly limit is the Parley server's
     * request limit, so a request sent in fragments is refused as soon as the bytes that arrived
     * pass it, not buffered whole first.
     */
    RSocketServer server() {
        return RSocketServer.create(this)
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .maxInboundPayloadSize(reassemblyLimit(acceptor.maxInboundPayloadSize()));
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

    @Override
    public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket sendingSocket) {
        if (closed) {
            return Mono.error(stopped());
        }
        ServerSession session;
        try {
            session = acceptor.openSession(setup.dataMimeType());
        }
        catch (RpcFault fault) {
            return Mono.error(new RejectedSetupException(FaultCodec.text(fault)));
        }
        boolean composite = !ParleyMetadataCodec.ROUTING_MIME_TYPE.equals(setup.metadataMimeType());
        connections.add(sendingSocket);
        if (closed) {
            // closeAll ran between the check above and the add, and may not have seen this one.
            closed(sendingSocket, session);
            return Mono.error(stopped());
        }
        sendingSocket.onClose().subscribe(null, error -> closed(sendingSocket, session), () -> closed(sendingSocket, session));
        return Mono.just(new ParleyResponder(session, composite));
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
        connections.forEach(RSocket::dispose);
    }
}
