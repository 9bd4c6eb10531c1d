package io.parley.core.codec;

import java.util.Objects;

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
public final class CborCodec extends JacksonCodec {

    /** The MIME type of this codec's data. */
    public static final String MIME_TYPE = "application/cbor";

    private CborCodec(CBORMapper mapper) {
        super(mapper, MIME_TYPE, "CBOR");
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
    public String toString() {
        return "CborCodec";
    }
}
