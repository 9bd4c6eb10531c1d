package io.parley.core.transport;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.parley.core.Credentials;

/**
 * What a client asks of its connection when it opens it: how it encodes its data, the largest
 * reply it takes, and whether it keeps the buffers its replies arrive in.
 *
 * @param dataMimeType the MIME type the client encodes its data with, announced to the server
 * @param maxInboundPayloadSize the largest reply, in bytes, that the client takes; a transport
 *        that assembles a reply from pieces stops once the bytes that arrived pass it (plus its
 *        own framing), and the client refuses a larger reply with {@code RPC_S_OUT_OF_MEMORY}
 * @param keepsReplies whether the client's codec may keep a reply's buffer
 *        ({@link io.parley.core.codec.Codec#keepsBuffers()}): if so, a transport that reuses its
 *        buffers hands each reply over in one of its own; if not, a reply is valid only during
 *        {@link TransportCall.Listener#onNext}
 * @param credentials the connection's credentials, sent when it opens (over RSocket, in SETUP);
 *        {@code null} for none
 */
public record ClientSetup(String dataMimeType, int maxInboundPayloadSize, boolean keepsReplies,
        @Nullable Credentials credentials) {

    /**
     * A setup without credentials.
     *
     * @param dataMimeType the data MIME type
     * @param maxInboundPayloadSize the largest reply
     * @param keepsReplies whether the client keeps replies' buffers
     */
    public ClientSetup(String dataMimeType, int maxInboundPayloadSize, boolean keepsReplies) {
        this(dataMimeType, maxInboundPayloadSize, keepsReplies, null);
    }


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
