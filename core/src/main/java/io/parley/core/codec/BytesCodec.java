package io.parley.core.codec;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

/**
 * The {@code application/octet-stream} codec: requests and replies are {@code byte[]} or
 * {@link ByteBuffer} and pass through as they are. It is the cheapest codec, for callers that
 * already hold encoded bytes. An empty payload decodes to an empty array or buffer, not {@code null}.
 *
 * <p>A {@code ByteBuffer} is decoded without a copy: it is a view of the transport's buffer,
 * which on a server may be memory outside the Java heap. A handler reads it until it ends the
 * call, and not after: a handler that keeps the bytes longer copies them. Returned as the reply,
 * the view is sent without a copy either. A {@code byte[]} is a copy, unless the transport's
 * buffer is exactly a whole array on the heap, which is then returned itself.
 *
 * <pre>{@code
 * ParleyClient client = ParleyClient.builder()
 *         .transport(transport)
 *         .codec(BytesCodec.create())
 *         .build();
 * Mono<byte[]> echoed = client.call("echo", new byte[] {1, 2, 3}, byte[].class);
 * }</pre>
 */
public final class BytesCodec implements Codec {

    /** The MIME type of this codec's data. */
    public static final String MIME_TYPE = "application/octet-stream";

    private static final BytesCodec INSTANCE = new BytesCodec();

    private BytesCodec() {
    }

    /** Returns the raw-bytes codec. */
    public static BytesCodec create() {
        return INSTANCE;
    }

    @Override
    public String mimeType() {
        return MIME_TYPE;
    }

    @Override
    public ByteBuffer encode(@Nullable Object value) {
        if (value == null) {
            return ByteBuffer.allocate(0);
        }
        if (value instanceof byte[]) {
            return ByteBuffer.wrap((byte[]) value);
        }
        if (value instanceof ByteBuffer) {
            return ((ByteBuffer) value).duplicate();
        }
        throw new CodecException("cannot encode a " + value.getClass().getName()
                + " as raw bytes (expected: byte[] or java.nio.ByteBuffer)");
    }

    @Override
    public @Nullable Object decode(ByteBuffer data, Type type) {
        if (type == ByteBuffer.class || type == Object.class) {
            // The buffer is the codec's (Codec#decode): one that starts at 0 is the view already.
            return data.position() == 0 ? data : data.slice();
        }
        if (type == byte[].class) {
            if (data.hasArray() && data.arrayOffset() == 0 && data.position() == 0 && data.limit() == data.array().length) {
                return data.array();
            }
            byte[] bytes = new byte[data.remaining()];
            data.get(data.position(), bytes);
            return bytes;
        }
        throw new CodecException("cannot decode raw bytes as " + type.getTypeName()
                + " (expected: byte[] or java.nio.ByteBuffer)");
    }

    @Override
    public String toString() {
        return "BytesCodec";
    }
}
