package io.parley.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class JsonCodecTest {

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

    private final JsonCodec codec = JsonCodec.create();

    private static Type genericType(String field) throws NoSuchFieldException {
        return Types.class.getDeclaredField(field).getGenericType();
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
        buffer.put(bytes).flip();
        return buffer;
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void mimeType_isApplicationJson() {
        assertThat(codec.mimeType()).isEqualTo("application/json");
        assertThat(JsonCodec.MIME_TYPE).isEqualTo("application/json");
    }

    @Test
    void record_roundTrips() {
        Order order = new Order("widget", 3, List.of("red", "large"));

        ByteBuffer encoded = codec.encode(order);

        assertThat(encoded.position()).isZero();
        assertThat(text(encoded)).isEqualTo("{\"item\":\"widget\",\"quantity\":3,\"tags\":[\"red\",\"large\"]}");
        assertThat(codec.decode(encoded, Order.class)).isEqualTo(order);
    }

    @Test
    void string_roundTrips() {
        ByteBuffer encoded = codec.encode("héllo \"world\"");

        assertThat(text(encoded)).isEqualTo("\"héllo \\\"world\\\"\"");
        assertThat(codec.decode(encoded, String.class)).isEqualTo("héllo \"world\"");
    }

    @Test
    void long_roundTrips() {
        ByteBuffer encoded = codec.encode(Long.MAX_VALUE);

        assertThat(text(encoded)).isEqualTo("9223372036854775807");
        assertThat(codec.decode(encoded, Long.class)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void genericListOfMaps_roundTripsThroughReflectType() throws Exception {
        Map<String, Integer> first = new LinkedHashMap<>();
        first.put("a", 1);
        first.put("b", 2);
        List<Map<String, Integer>> value = List.of(first, Map.of("c", 3));

        Object decoded = codec.decode(codec.encode(value), genericType("listOfMaps"));

        assertThat(decoded).isEqualTo(value);
        assertThat(((List<?>) decoded).get(0)).isInstanceOf(Map.class);
        assertThat(((Map<?, ?>) ((List<?>) decoded).get(0)).get("a")).isInstanceOf(Integer.class);
    }

    @Test
    void genericListOfRecords_decodesToElementTypeOfReflectType() throws Exception {
        Object decoded = codec.decode(utf8("[{\"x\":1,\"y\":2},{\"x\":3,\"y\":4}]"), genericType("listOfPoints"));

        assertThat(decoded).isEqualTo(List.of(new Point(1, 2), new Point(3, 4)));
    }

    @Test
    void encode_null_isEmptyBuffer() {
        ByteBuffer encoded = codec.encode(null);

        assertThat(encoded.remaining()).isZero();
    }

    @Test
    void decode_emptyBuffer_isNull() {
        assertThat(codec.decode(ByteBuffer.allocate(0), String.class)).isNull();
        assertThat(codec.decode(ByteBuffer.allocateDirect(0), Order.class)).isNull();
        assertThat(codec.decode(codec.encode(null), Long.class)).isNull();
    }

    @Test
    void decode_directBuffer_decodes() {
        Object decoded = codec.decode(direct("{\"item\":\"bolt\",\"quantity\":7,\"tags\":[]}"), Order.class);

        assertThat(decoded).isEqualTo(new Order("bolt", 7, List.of()));
    }

    @Test
    void decode_heapBufferWithOffset_readsFromPositionToLimit() {
        byte[] framed = "xx42yy".getBytes(StandardCharsets.UTF_8);

        ByteBuffer window = ByteBuffer.wrap(framed, 2, 2);
        ByteBuffer slice = ByteBuffer.wrap(framed, 2, 2).slice();

        assertThat(codec.decode(window, Long.class)).isEqualTo(42L);
        assertThat(codec.decode(slice, Long.class)).isEqualTo(42L);
    }

    @Test
    void decode_twiceFromDuplicates_givesEqualValuesAndKeepsNoBuffer() {
        ByteBuffer heap = utf8("{\"x\":5,\"y\":6}");
        ByteBuffer offHeap = direct("{\"x\":5,\"y\":6}");

        for (ByteBuffer data : List.of(heap, offHeap)) {
            Object first = codec.decode(data.duplicate(), Point.class);
            Object second = codec.decode(data.duplicate(), Point.class);

            assertThat(first).isEqualTo(new Point(5, 6)).isEqualTo(second).isNotSameAs(second);
            assertThat(data.position()).isZero();
        }

        // the decoded value owns its data: overwriting the buffer afterwards changes nothing
        byte[] bytes = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
        Object decoded = codec.decode(ByteBuffer.wrap(bytes), int[].class);
        Arrays.fill(bytes, (byte) '9');
        assertThat((int[]) decoded).containsExactly(1, 2, 3);
    }

    @Test
    void decode_garbage_throwsCodecExceptionNamingTargetType() {
        assertThatThrownBy(() -> codec.decode(utf8("{not json"), Order.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("as " + Order.class.getTypeName())
                .hasCauseInstanceOf(tools.jackson.core.JacksonException.class);
    }

    @Test
    void decode_garbageInDirectBuffer_throwsCodecExceptionNamingTargetType() {
        assertThatThrownBy(() -> codec.decode(direct("\u0000\u0001garbage"), Long.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("java.lang.Long");
    }

    @Test
    void decode_wrongType_throwsCodecExceptionNamingTargetType() {
        assertThatThrownBy(() -> codec.decode(utf8("\"text\""), Long.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("as java.lang.Long");
    }

    @Test
    void decode_trailingTokens_throwsCodecException() {
        assertThatThrownBy(() -> codec.decode(utf8("42 43"), Long.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("java.lang.Long");
    }

    @Test
    void decode_garbage_messageStatesByteCount() {
        assertThatThrownBy(() -> codec.decode(utf8("{not json"), Order.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("9 bytes");
    }

    @Test
    void decode_garbageInDirectBuffer_messageStatesByteCount() {
        assertThatThrownBy(() -> codec.decode(direct("{not json"), Order.class))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("9 bytes");
    }

    @Test
    void decode_genericTypeMismatch_messageNamesFullGenericType() throws Exception {
        Type listOfMaps = genericType("listOfMaps");

        assertThatThrownBy(() -> codec.decode(utf8("[{\"a\":\"not a number\"}]"), listOfMaps))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("java.util.List<java.util.Map<java.lang.String, java.lang.Integer>>");
    }

    @Test
    void encode_valueWhoseGetterThrows_throwsCodecExceptionNamingItsClass() {
        assertThatThrownBy(() -> codec.encode(new Exploding()))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(Exploding.class.getName())
                .hasCauseInstanceOf(tools.jackson.core.JacksonException.class);
    }

    @Test
    void create_withMapper_usesThatMapper() {
        JsonCodec snake = JsonCodec.create(JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build());
        record Named(String firstName) {
        }

        assertThat(text(snake.encode(new Named("Ada")))).isEqualTo("{\"first_name\":\"Ada\"}");
        assertThat(snake.decode(utf8("{\"first_name\":\"Ada\"}"), Named.class)).isEqualTo(new Named("Ada"));
    }

    @Test
    void create_withNullMapper_isRejected() {
        assertThatThrownBy(() -> JsonCodec.create(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("mapper");
    }

    @Test
    void keepsNoBuffers_aValueIsBuiltFromTheBytes() {
        assertThat(JsonCodec.create().keepsBuffers()).isFalse();
    }
}
