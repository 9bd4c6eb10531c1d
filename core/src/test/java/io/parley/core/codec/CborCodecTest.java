package io.parley.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.dataformat.cbor.CBORMapper;

class CborCodecTest {

    record Order(String item, int quantity, List<String> tags) {
    }

    record Point(int x, int y) {
    }

    /** Holders of generic types, read through {@link java.lang.reflect.Field#getGenericType()}. */
    @SuppressWarnings("unused")
    private static final class Types {
        List<Map<String, Integer>> listOfMaps;
        List<Point> listOfPoints;
    }

    /** A bean Jackson can see but not serialize: its getter throws. */
    public static final class Exploding {
        public String getValue() {
            throw new IllegalStateException("boom");
        }
    }

    private final CborCodec codec = CborCodec.create();

    private static Type genericType(String field) throws NoSuchFieldException {
        return Types.class.getDeclaredField(field).getGenericType();
    }

    private static ByteBuffer bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return ByteBuffer.wrap(bytes);
    }

    private static ByteBuffer direct(ByteBuffer heap) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(heap.remaining());
        buffer.put(heap.duplicate()).flip();
        return buffer;
    }

    private static byte[] array(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void mimeType_isApplicationCbor() {
        assertThat(codec.mimeType()).isEqualTo("application/cbor");
        assertThat(CborCodec.MIME_TYPE).isEqualTo("application/cbor");
    }

    @Test
    void record_roundTrips() {
        Order order = new Order("widget", 3, List.of("red", "large"));

        ByteBuffer encoded = codec.encode(order);

        assertThat(encoded.position()).isZero();
        // a CBOR map of three pairs (major type 5): binary, not JSON text
        assertThat(encoded.get(0) & 0xFF).isIn(0xA3, 0xBF);
        assertThat(codec.decode(encoded, Order.class)).isEqualTo(order);
    }

    @Test
    void map_roundTrips() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "Ada");
        map.put("born", 1815);
        map.put("tags", List.of("math", "engines"));

        assertThat(codec.decode(codec.encode(map), Map.class)).isEqualTo(map);
    }

    @Test
    void string_roundTrips_asACborTextString() {
        ByteBuffer encoded = codec.encode("héllo");

        // major type 3 (text string) of 6 UTF-8 bytes, then the bytes
        assertThat(array(encoded)).containsExactly(0x66, 'h', 0xC3, 0xA9, 'l', 'l', 'o');
        assertThat(codec.decode(encoded, String.class)).isEqualTo("héllo");
    }

    @Test
    void numbers_roundTrip() {
        assertThat(array(codec.encode(42))).containsExactly(0x18, 42);
        assertThat(codec.decode(codec.encode(42), Integer.class)).isEqualTo(42);
        assertThat(codec.decode(codec.encode(-7), Integer.class)).isEqualTo(-7);
        assertThat(codec.decode(codec.encode(Long.MAX_VALUE), Long.class)).isEqualTo(Long.MAX_VALUE);
        assertThat(codec.decode(codec.encode(2.5d), Double.class)).isEqualTo(2.5d);
        assertThat((BigDecimal) codec.decode(codec.encode(new BigDecimal("12.345")), BigDecimal.class))
                .isEqualByComparingTo("12.345");
    }

    @Test
    void genericListOfMaps_roundTripsThroughReflectType() throws Exception {
        Map<String, Integer> first = new LinkedHashMap<>();
        first.put("a", 1);
        first.put("b", 2);
        List<Map<String, Integer>> value = List.of(first, Map.of("c", 3));

        Object decoded = codec.decode(codec.encode(value), genericType("listOfMaps"));

        assertThat(decoded).isEqualTo(value);
        assertThat(((Map<?, ?>) ((List<?>) decoded).get(0)).get("a")).isInstanceOf(Integer.class);
    }

    @Test
    void genericListOfRecords_decodesToElementTypeOfReflectType() throws Exception {
        List<Point> points = List.of(new Point(1, 2), new Point(3, 4));

        assertThat(codec.decode(codec.encode(points), genericType("listOfPoints"))).isEqualTo(points);
    }

    @Test
    void encode_null_isEmptyBuffer() {
        assertThat(codec.encode(null).remaining()).isZero();
    }

    @Test
    void decode_emptyBuffer_isNull() {
        assertThat(codec.decode(ByteBuffer.allocate(0), String.class)).isNull();
        assertThat(codec.decode(ByteBuffer.allocateDirect(0), Order.class)).isNull();
        assertThat(codec.decode(codec.encode(null), Long.class)).isNull();
    }

    @Test
    void decode_cborNull_isNull() {
        assertThat(codec.decode(bytes(0xF6), Order.class)).isNull();
    }

    @Test
    void decode_directBuffer_decodes() {
        Order order = new Order("bolt", 7, List.of());

        assertThat(codec.decode(direct(codec.encode(order)), Order.class)).isEqualTo(order);
    }

    @Test
    void decode_heapBufferWithOffset_readsFromPositionToLimit() {
        // 0xFF 0xFF around 0x18 0x2A (42)
        byte[] framed = {(byte) 0xFF, (byte) 0xFF, 0x18, 0x2A, (byte) 0xFF};

        assertThat(codec.decode(ByteBuffer.wrap(framed, 2, 2), Long.class)).isEqualTo(42L);
        assertThat(codec.decode(ByteBuffer.wrap(framed, 2, 2).slice(), Long.class)).isEqualTo(42L);
    }

    @Test
    void decode_twiceFromDuplicates_givesEqualValuesAndKeepsNoBuffer() {
        ByteBuffer heap = codec.encode(new Point(5, 6));
        ByteBuffer offHeap = direct(heap);

        for (ByteBuffer data : List.of(heap, offHeap)) {
            Object first = codec.decode(data.duplicate(), Point.class);
            Object second = codec.decode(data.duplicate(), Point.class);

            assertThat(first).isEqualTo(new Point(5, 6)).isEqualTo(second).isNotSameAs(second);
            assertThat(data.position()).isZero();
        }

        // the decoded value owns its data: overwriting the buffer afterwards changes nothing
        byte[] encoded = array(codec.encode(new int[] {1, 2, 3}));
        Object decoded = codec.decode(ByteBuffer.wrap(encoded), int[].class);
        Arrays.fill(encoded, (byte) 0);
        assertThat((int[]) decoded).containsExactly(1, 2, 3);
    }

    @Test
    void decode_garbage_throwsCodecExceptionNamingTargetTypeAndByteCount() {
        // a map announcing 3 pairs, then a key that is a truncated text string
        assertThatThrownBy(() -> codec.decode(bytes(0xA3, 0x64, 'i'), Order.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("3 bytes of CBOR as " + Order.class.getTypeName())
                .hasCauseInstanceOf(tools.jackson.core.JacksonException.class);
    }

    @Test
    void decode_garbageInDirectBuffer_throwsCodecExceptionNamingTargetType() {
        assertThatThrownBy(() -> codec.decode(direct(bytes(0xA3, 0x64, 'i')), Order.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("as " + Order.class.getTypeName());
    }

    @Test
    void decode_jsonText_throwsCodecException() {
        ByteBuffer json = ByteBuffer.wrap("{\"x\":1,\"y\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThatThrownBy(() -> codec.decode(json, Point.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Point.class.getTypeName());
    }

    @Test
    void decode_wrongType_throwsCodecExceptionNamingTargetType() {
        assertThatThrownBy(() -> codec.decode(codec.encode("text"), Long.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("as java.lang.Long");
    }

    @Test
    void decode_trailingBytes_throwsCodecException() {
        assertThatThrownBy(() -> codec.decode(bytes(0x18, 42, 0x18, 43), Long.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("java.lang.Long");
    }

    @Test
    void encode_valueWhoseGetterThrows_throwsCodecExceptionNamingItsClass() {
        assertThatThrownBy(() -> codec.encode(new Exploding()))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Exploding.class.getName())
                .hasMessageContaining("CBOR")
                .hasCauseInstanceOf(tools.jackson.core.JacksonException.class);
    }

    @Test
    void create_withMapper_usesThatMapper() {
        CborCodec snake = CborCodec.create(CBORMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build());
        record Named(String firstName) {
        }

        ByteBuffer encoded = snake.encode(new Named("Ada"));

        assertThat(codec.decode(encoded.duplicate(), Map.class)).isEqualTo(Map.of("first_name", "Ada"));
        assertThat(snake.decode(encoded, Named.class)).isEqualTo(new Named("Ada"));
    }

    @Test
    void create_withNullMapper_isRejected() {
        assertThatThrownBy(() -> CborCodec.create(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("mapper");
    }

    @Test
    void keepsNoBuffers_aValueIsBuiltFromTheBytes() {
        assertThat(CborCodec.create().keepsBuffers()).isFalse();
    }
}
