package io.parley.core.transport;

import java.net.SocketAddress;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.parley.core.Credentials;

/**
 * What a transport tells the server of a new connection.
 *
 * @param dataMimeType the MIME type the client encodes its data with, as announced when it connected
 * @param remoteAddress where the connection comes from; {@code null} if the transport cannot tell
 * @param credentials the credentials the client sent for the connection (over RSocket, in SETUP);
 *        {@code null} for none
 */
public record ConnectionInfo(String dataMimeType, @Nullable SocketAddress remoteAddress, @Nullable Credentials credentials) {

    /** Checks the arguments. */
    public ConnectionInfo {
        Objects.requireNonNull(dataMimeType, "dataMimeType");
    }
}
