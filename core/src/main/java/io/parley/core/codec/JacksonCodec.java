package io.parley.core.codec;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.util.ByteBufferBackedInputStream;

/**
 * What {@link JsonCodec} and {@link CborCodec} share: a Jackson 3 mapper of one data format,
 * writing a value as bytes and reading bytes where they arrived. {@code null} is an empty buffer
 * both ways: every JSON and CBOR value is at least one byte.
 */
abstract class JacksonCodec implements Codec {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final ObjectMapper mapper;
    private final String mimeType;
    /** The data format's name, for error messages: {@code JSON}, {@code CBOR}. */
    private final String format;

    JacksonCodec(ObjectMapper mapper, String mimeType, String format) {
        this.mapper = mapper;
        this.mimeType = mimeType;
        this.format = format;
    }

    @Override
    public final String mimeType() {
        return mimeType;
    }

    @Override
    public final ByteBuffer encode(@Nullable Object value) {
        if (value == null) {
            return EMPTY.duplicate();
        }
        try {
            return ByteBuffer.wrap(mapper.writeValueAsBytes(value));
        }
        catch (JacksonException e) {
            throw new CodecException("cannot encode a " + value.getClass().getName() + " as " + format, e);
        }
    }

    @Override
    public final @Nullable Object decode(ByteBuffer data, Type type) {
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
            throw new CodecException("cannot decode " + length + " bytes of " + format + " as " + type.getTypeName()
                    + ": " + e.getOriginalMessage(), e);
        }
        catch (RuntimeException e) {
            // A deserializer of Jackson's may fail outside JacksonException on bytes it does not
            // expect (its ByteBuffer deserializer wraps a binary value that is not there); the
            // bytes are as undecodable, and the exception's message is Jackson's internals.
            throw new CodecException("cannot decode " + length + " bytes of " + format + " as " + type.getTypeName(), e);
        }
    }

    /** Jackson builds the value from the bytes: a reply is read where it arrived. */
    @Override
    public final boolean keepsBuffers() {
        return false;
    }
}
