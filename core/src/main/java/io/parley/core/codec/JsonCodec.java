package io.parley.core.codec;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.ByteBufferBackedInputStream;

/**
 * The {@code application/json} codec, on Jackson 3 — the default for clients and servers, and
 * the data format that Spring's {@code RSocketRequester} and rsocket-js speak by default.
 *
 * <pre>{@code
 * Codec json = JsonCodec.create();                                   // Jackson defaults
 * Codec custom = JsonCodec.create(JsonMapper.builder().findAndAddModules().build());
 * }</pre>
 */
public final class JsonCodec implements Codec {

    /** The MIME type of this codec's data. */
    public static final String MIME_TYPE = "application/json";

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final JsonMapper mapper;

    private JsonCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    /** Returns a JSON codec with Jackson's default mapper. */
    public static JsonCodec create() {
        return new JsonCodec(JsonMapper.builder().build());
    }

    /**
     * Returns a JSON codec that uses the given mapper.
     *
     * @param mapper a configured mapper; it is shared by every call
     */
    public static JsonCodec create(JsonMapper mapper) {
        return new JsonCodec(Objects.requireNonNull(mapper, "mapper"));
    }

    @Override
    public String mimeType() {
        return MIME_TYPE;
    }

    @Override
    public ByteBuffer encode(@Nullable Object value) {
        if (value == null) {
            return EMPTY.duplicate();
        }
        try {
            return ByteBuffer.wrap(mapper.writeValueAsBytes(value));
        }
        catch (JacksonException e) {
            throw new CodecException("cannot encode a " + value.getClass().getName() + " as JSON", e);
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
            throw new CodecException("cannot decode " + length + " bytes of JSON as " + type.getTypeName()
                    + ": " + e.getOriginalMessage(), e);
        }
        catch (RuntimeException e) {
            // A deserializer of Jackson's may fail outside JacksonException on bytes it does not
            // expect (its ByteBuffer deserializer wraps a binary value that is not there); the
            // bytes are as undecodable, and the exception's message is Jackson's internals.
            throw new CodecException("cannot decode " + length + " bytes of JSON as " + type.getTypeName(), e);
        }
    }

    /** Jackson builds the value from the bytes: a reply is read where it arrived. */
    @Override
    public boolean keepsBuffers() {
        return false;
    }

    @Override
    public String toString() {
        return "JsonCodec";
    }
}
