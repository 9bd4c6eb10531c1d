package io.parley.core.transport;

import io.parley.core.RpcFault;

/**
 * Parley's server as a transport sees it: it opens a {@link ServerSession} for each connection.
 * Transports call it; they do not implement it.
 */
public interface CallAcceptor {

    /**
     * Opens the session for a new connection.
     *
     * @param connection what the transport knows of the connection: the MIME type the client
     *        encodes its data with, where it comes from, the credentials it sent
     * @return the session that serves the connection's calls
     * @throws RpcFault with {@code RPC_S_PROTOCOL_ERROR} if the server has no codec for the MIME
     *         type, or {@code RPC_S_SERVER_UNAVAILABLE} if the server is shutting down; the
     *         transport refuses the connection with that fault
     */
    ServerSession openSession(ConnectionInfo connection);

    /**
     * Opens the session for a new connection of which the transport knows only the data MIME type.
     *
     * @param dataMimeType the MIME type the client encodes its data with
     * @return the session
     * @throws RpcFault as {@link #openSession(ConnectionInfo)}
     */
    default ServerSession openSession(String dataMimeType) {
        return openSession(new ConnectionInfo(dataMimeType, null, null));
    }


    /**
     * The largest request, in bytes, that the server takes. A transport that assembles a request
     * from pieces stops and refuses it where the bytes arrive, once they pass this (plus its own
     * framing), instead of buffering it whole; the server checks the assembled request again.
     *
     * @return the limit in bytes; {@code Integer.MAX_VALUE} for none
     */
    default int maxInboundPayloadSize() {
        return Integer.MAX_VALUE;
    }

    /**
     * How many more calls the server takes at once, across all its connections, before it queues
     * them or refuses them with {@code RPC_S_SERVER_TOO_BUSY}: what a transport that tells its
     * clients the server's capacity (RSocket leases) hands out. Thread-safe and cheap; the answer
     * may be stale as soon as it is read.
     *
     * @return the calls the server can take now, zero or more; {@code Integer.MAX_VALUE} without a limit
     */
    default int availableCalls() {
        return Integer.MAX_VALUE;
    }
}
