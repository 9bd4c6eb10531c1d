package io.parley.core.codec;

import java.util.Objects;

import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code application/json} codec, on Jackson 3 — the default for clients and servers, and
 * the data format that Spring's {@code RSocketRequester} and rsocket-js speak by default.
 *
 * <pre>{@code
 * Codec json = JsonCodec.create();                                   // Jackson defaults
 * Codec custom = JsonCodec.create(JsonMapper.builder().findAndAddModules().build());
 * }</pre>
 */
public final class JsonCodec extends JacksonCodec {

    /** The MIME type of this codec's data. */
    public static final String MIME_TYPE = "application/json";

    private JsonCodec(JsonMapper mapper) {
        super(mapper, MIME_TYPE, "JSON");
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
    public String toString() {
        return "JsonCodec";
    }
}
