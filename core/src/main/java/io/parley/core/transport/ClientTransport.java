package io.parley.core.transport;

import reactor.core.publisher.Mono;

/**
 * Opens connections to a server for Parley's client. A client asks for a new connection when it
 * has none or its last one closed, so reconnecting is the client's business; a transport that
 * balances over several servers may return a connection that does.
 */
public interface ClientTransport {

    /**
     * Connects.
     *
     * @param dataMimeType the MIME type the client encodes its data with, announced to the server
     * @return the connection; an {@link io.parley.core.RpcFault} with
     *         {@code RPC_S_SERVER_UNAVAILABLE} if no server could be reached
     */
    Mono<ClientConnection> connect(String dataMimeType);
}
