package io.parley.rsocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.parley.core.RpcFault;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerSession;
import io.rsocket.ConnectionSetupPayload;
import io.rsocket.RSocket;
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

    ParleySocketAcceptor(CallAcceptor acceptor) {
        this.acceptor = acceptor;
    }

    @Override
    public Mono<RSocket> accept(ConnectionSetupPayload setup, RSocket sendingSocket) {
        ServerSession session;
        try {
            session = acceptor.openSession(setup.dataMimeType());
        }
        catch (RpcFault fault) {
            return Mono.error(new RejectedSetupException(FaultCodec.text(fault)));
        }
        boolean composite = !ParleyMetadataCodec.ROUTING_MIME_TYPE.equals(setup.metadataMimeType());
        connections.add(sendingSocket);
        sendingSocket.onClose().subscribe(null, error -> closed(sendingSocket, session), () -> closed(sendingSocket, session));
        return Mono.just(new ParleyResponder(session, composite));
    }

    private void closed(RSocket connection, ServerSession session) {
        connections.remove(connection);
        session.close();
    }

    /** Closes every open connection. */
    void closeAll() {
        for (RSocket connection : connections) {
            connection.dispose();
        }
    }
}
