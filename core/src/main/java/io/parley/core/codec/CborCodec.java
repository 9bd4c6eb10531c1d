package io.parley.core.codec;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.util.ByteBufferBackedInputStream;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * The {@code application/cbor} codec (CBOR, RFC 8949), on Jackson 3 — the data format that a
 * Spring Boot application's {@code RSocketRequester.Builder} speaks by default. A server speaks it
 * beside JSON unless it is given codecs of its own; a client chooses it with
 * {@code ParleyClient.Builder.codec(CborCodec.create())}.
 *
 * <pre>{@code
 * Codec cbor = CborCodec.create();                                   // Jackson defaults
 * Codec custom = CborCodec.create(CBORMapper.builder().findAndAddModules().build());
 * }</pre>
 */
public final class CborCodec implements Codec {

    /** The MIME type of this codec's data. */
    public static final String MIME_TYPE = "application/cbor";

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final CBORMapper mapper;

    private CborCodec(CBORMapper mapper) {
        this.mapper = mapper;
    }

    /** Returns a CBOR codec with Jackson's default mapper. */
    public static CborCodec create() {
        return new CborCodec(CBORMapper.builder().build());
    }

    /**
     * Returns a CBOR codec that uses the given mapper.
     *
     * @param mapper a configured mapper; it is shared by every call
     */
    public static CborCodec create(CBORMapper mapper) {
        return new CborCodec(Objects.requireNonNull(mapper, "mapper"));
    }

    @Override
    public String mimeType() {
        return MIME_TYPE;
    }

    /** Encodes a value; {@code null} is an empty buffer, as every CBOR value is at least one byte. */
    @Override
    public ByteBuffer encode(@Nullable Object value) {
        if (value == null) {
            return EMPTY.duplicate();
        }
        try {
            return ByteBuffer.wrap(mapper.writeValueAsBytes(value));
        }
        catch (JacksonException e) {
            throw new CodecException("cannot encode a " + value.getClass().getName() + " as CBOR", e);
        }
    }

    @Override
    public @Nullable Object decode(ByteBuffer data, Type type) {
        if (!data.hasRemaining()) {
            return null;
        }
        JavaType javaType = mapper.getTypeFactory().constructType(type);
        int length = data.remaining();
        try {
            if (data.hasArray()) {
                return mapper.readValue(data.array(), data.arrayOffset() + data.position(), length, javaType);
            }
            // The buffer is this call's to read: its position may move (Codec#decode), so no duplicate.
            return mapper.readValue(new ByteBufferBackedInputStream(data), javaType);
        }
        catch (JacksonException e) {
            throw new CodecException("cannot decode " + length + " bytes of CBOR as " + type.getTypeName()
                    + ": " + e.getOriginalMessage(), e);
        }
        catch (RuntimeException e) {
            // A deserializer of Jackson's may fail outside JacksonException on bytes it does not
            // expect (its ByteBuffer deserializer wraps a binary value that is not there); the
            // bytes are as undecodable, and the exception's message is Jackson's internals.
            throw new CodecException("cannot decode " + length + " bytes of CBOR as " + type.getTypeName(), e);
        }
    }

    /** Jackson builds the value from the bytes: a reply is read where it arrived. */
    @Override
    public boolean keepsBuffers() {
        return false;
    }

    @Override
    public String toString() {
        return "CborCodec";
    }
}
