package io.parley.core.transport;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import io.parley.core.CallMetadata;
import io.parley.core.Credentials;

/**
 * One call as it crosses a transport: the method it names, the call's id, its timeout, its
 * interaction, the encoded request, and the call's metadata and credentials.
 *
 * <p>A channel's requests are {@code payload}, unless it is empty, followed by what {@code more}
 * publishes. Over RSocket the first travels in the {@code REQUEST_CHANNEL} frame; a client with
 * nothing to send opens the channel with empty data, as Spring's requester does, and a request
 * that encodes to no bytes cannot be a channel's first. The client hands its transport an empty
 * {@code payload} and all its requests in {@code more}; the transport puts the first in the
 * opening frame.
 *
 * @param method the method name; never empty
 * @param callId the id the client gave the call, unique among the calls in flight on one
 *        connection; {@link #NO_CALL_ID} when the client gave none (a client other than
 *        Parley's), in which case the call cannot be cancelled gracefully
 * @param timeout how long the client is prepared to wait before it cancels, measured from the
 *        moment the request was sent; {@code null} for none. The server's
 *        {@code testCancel()} turns {@code RPC_S_OK} when it has passed
 * @param payload the encoded request, from position to limit. On the server it stays readable
 *        until the call gives it back ({@link ServerSession#handle(RpcRequest, Runnable)})
 * @param interaction how the call crosses the transport
 * @param more a channel's requests after {@code payload}, {@code null} for the other
 *        interactions. Each buffer is its receiver's to keep. On the server the session
 *        subscribes to it once, and cancels it when the call ends
 * @param metadata the call's metadata entries; {@link CallMetadata#EMPTY} for none
 * @param credentials the call's own credentials, or {@code null}: the connection's, if any, apply
 */
public record RpcRequest(String method, long callId, @Nullable Duration timeout, ByteBuffer payload,
        Interaction interaction, @Nullable Publisher<ByteBuffer> more, CallMetadata metadata,
        @Nullable Credentials credentials) {

    /** The call id of a request whose client gave none. */
    public static final long NO_CALL_ID = 0;

    /** The longest method name, in UTF-8 bytes: RSocket's routing metadata holds no more. */
    public static final int MAX_METHOD_BYTES = 255;

    /**
     * The length of a string in UTF-8 bytes, without encoding it.
     *
     * @param s the string
     * @return its UTF-8 length
     */
    public static int utf8Length(String s) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            }
            else if (c < 0x800) {
                n += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            }
            else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Checks the arguments.
     *
     * @throws IllegalArgumentException if the method is empty, the timeout is not positive, or
     *         {@code more} is given for an interaction other than a channel
     */
    public RpcRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(interaction, "interaction");
        Objects.requireNonNull(metadata, "metadata");
        if (more != null && interaction != Interaction.REQUEST_CHANNEL) {
            throw new IllegalArgumentException("more: given for " + interaction.description()
                    + " (expected: null unless the interaction is a request-channel)");
        }
        if (method.isEmpty()) {
            throw new IllegalArgumentException("method: \"\" (expected: a non-empty name)");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
    }

    /**
     * A request without metadata or credentials of its own.
     *
     * @param method the method name
     * @param callId the call's id
     * @param timeout the timeout, or {@code null}
     * @param payload the encoded request
     * @param interaction how the call crosses the transport
     * @param more a channel's requests after {@code payload}, or {@code null}
     */
    public RpcRequest(String method, long callId, @Nullable Duration timeout, ByteBuffer payload,
            Interaction interaction, @Nullable Publisher<ByteBuffer> more) {
        this(method, callId, timeout, payload, interaction, more, CallMetadata.EMPTY, null);
    }

    /**
     * A request-response.
     *
     * @param method the method name
     * @param callId the call's id
     * @param timeout the timeout, or {@code null}
     * @param payload the encoded request
     */
    public RpcRequest(String method, long callId, @Nullable Duration timeout, ByteBuffer payload) {
        this(method, callId, timeout, payload, Interaction.REQUEST_RESPONSE, null, CallMetadata.EMPTY, null);
    }

    /**
     * The same request with another payload, as a transport hands it over.
     *
     * @param payload the payload
     * @return the request
     */
    public RpcRequest withPayload(ByteBuffer payload) {
        return new RpcRequest(method, callId, timeout, payload, interaction, more, metadata, credentials);
    }

    /**
     * The same request with other metadata and credentials, as a client's interceptors leave them.
     *
     * @param metadata the metadata
     * @param credentials the call's own credentials, or {@code null}
     * @return the request
     */
    public RpcRequest withContext(CallMetadata metadata, @Nullable Credentials credentials) {
        return new RpcRequest(method, callId, timeout, payload, interaction, more, metadata, credentials);
    }

    /**
     * The same request with another {@code more}, as a transport hands a channel over.
     *
     * @param more the requests after the payload
     * @return the request
     */
    public RpcRequest withMore(@Nullable Publisher<ByteBuffer> more) {
        return new RpcRequest(method, callId, timeout, payload, interaction, more, metadata, credentials);
    }
}
