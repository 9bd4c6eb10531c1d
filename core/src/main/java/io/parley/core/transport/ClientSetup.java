package io.parley.core.transport;

import java.util.Objects;

/**
 * What a client asks of its connection when it opens it: how it encodes its data, and the
 * largest reply it takes.
 *
 * @param dataMimeType the MIME type the client encodes its data with, announced to the server
 * @param maxInboundPayloadSize the largest reply, in bytes, that the client takes; a transport
 *        that assembles a reply from pieces stops once the bytes that arrived pass it (plus its
 *        own framing), and the client refuses a larger reply with {@code RPC_S_OUT_OF_MEMORY}
 */
public record ClientSetup(String dataMimeType, int maxInboundPayloadSize) {

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException if the limit is not positive
     */
    public ClientSetup {
        Objects.requireNonNull(dataMimeType, "dataMimeType");
        if (maxInboundPayloadSize <= 0) {
            throw new IllegalArgumentException("maxInboundPayloadSize: " + maxInboundPayloadSize + " (expected: > 0)");
        }
    }
}
