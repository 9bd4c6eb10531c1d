package io.parley.core.transport;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One call as it crosses a transport: the method it names, the call's id, its timeout and the
 * encoded request.
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
 */
public record RpcRequest(String method, long callId, @Nullable Duration timeout, ByteBuffer payload) {

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
     * @throws IllegalArgumentException if the method is empty or the timeout is not positive
     */
    public RpcRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(payload, "payload");
        if (method.isEmpty()) {
            throw new IllegalArgumentException("method: \"\" (expected: a non-empty name)");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
    }
}
