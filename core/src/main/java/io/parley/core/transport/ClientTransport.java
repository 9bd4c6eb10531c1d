package io.parley.core.transport;

/**
 * Gives Parley's client its {@link ClientConnection}: made once per client, when the client is
 * built, without connecting. Connecting, reconnecting and balancing are the connection's business.
 */
@FunctionalInterface
public interface ClientTransport {

    /**
     * Opens the client's connection. It connects when its first call needs it; a call that
     * cannot reach a server ends with {@code RPC_S_SERVER_UNAVAILABLE}.
     *
     * @param setup the client's data MIME type and reply limit
     * @return the connection
     */
    ClientConnection connect(ClientSetup setup);
}
