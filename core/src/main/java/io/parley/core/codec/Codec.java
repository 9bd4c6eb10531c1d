package io.parley.core.codec;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * Turns request and reply values into bytes and back. A codec is stateless and thread-safe: one
 * instance serves every call of a client or server, on any thread.
 *
 * <p>A {@code null} value (a method without a request, a reply of type {@code Void}) is encoded
 * as an empty buffer. A codec in which no value encodes to zero bytes, such as JSON, decodes an
 * empty buffer to {@code null}.
 *
 * <p>A codec reports a value it cannot encode or bytes it cannot decode with a
 * {@link CodecException}; Parley turns that into {@code RPC_X_BAD_STUB_DATA} for the caller.
 */
public interface Codec {

    /** The MIME type of the encoded data, e.g. {@code application/json}. */
    String mimeType();

    /**
     * Encodes a value.
     *
     * @param value the value, or {@code null}
     * @return a buffer positioned at the first byte of the encoded form, which the caller may own
     * @throws CodecException if the value cannot be encoded
     */
    ByteBuffer encode(@Nullable Object value);

    /**
     * Decodes a value. The buffer is the codec's to read, and its position may be moved. On a
     * server it stays readable and unchanged until the call has ended (its handler completed or
     * aborted it, or a reactive handler's subscription was cancelled), so a codec may return a
     * view of it instead of a copy. On a client it does so for good if {@link #keepsBuffers()}
     * (the transport hands over a buffer it never reuses), and only during this call otherwise.
     *
     * @param data the encoded bytes, from position to limit
     * @param type the type to decode to, a {@link Class} or a parameterized type
     * @return the value, or {@code null}
     * @throws CodecException if the bytes are not a valid encoding of {@code type}
     */
    @Nullable Object decode(ByteBuffer data, Type type);

    /**
     * Whether a value this codec decodes may be a view of the buffer it came from, or keep it. A
     * client whose codec does gets each reply in a buffer of its own, which a transport that
     * reuses its memory copies out for it; one that answers {@code false} reads replies where
     * they arrived. The default, {@code true}, is always safe.
     *
     * @return {@code false} only if every value is built from the bytes, not over them
     */
    default boolean keepsBuffers() {
        return true;
    }
}
