package io.parley.core.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BytesCodecTest {

    private final BytesCodec codec = BytesCodec.create();

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Test
    void mimeType_isOctetStream() {
        assertThat(codec.mimeType()).isEqualTo("application/octet-stream");
        assertThat(BytesCodec.MIME_TYPE).isEqualTo("application/octet-stream");
    }

    @Test
    void create_returnsTheSharedStatelessInstance() {
        assertThat(BytesCodec.create()).isSameAs(codec);
    }

    @Test
    void encode_byteArray_passesThrough() {
        ByteBuffer encoded = codec.encode(new byte[] {1, 2, 3});

        assertThat(encoded.position()).isZero();
        assertThat(bytes(encoded)).containsExactly(1, 2, 3);
    }

    @Test
    void encode_byteBuffer_passesThroughFromPositionWithoutMovingIt() {
        ByteBuffer value = ByteBuffer.wrap(new byte[] {9, 8, 7, 6});
        value.position(1);

        ByteBuffer encoded = codec.encode(value);
        encoded.get();

        assertThat(bytes(codec.encode(value))).containsExactly(8, 7, 6);
        assertThat(value.position()).isEqualTo(1);
    }

    @Test
    void encode_null_isEmptyBuffer() {
        assertThat(codec.encode(null).remaining()).isZero();
    }

    @Test
    void decode_toByteArray_copiesFromPositionToLimit() {
        byte[] source = {0, 1, 2, 3, 4};
        ByteBuffer data = ByteBuffer.wrap(source, 1, 3);

        byte[] decoded = (byte[]) codec.decode(data, byte[].class);
        source[2] = 42;

        assertThat(decoded).containsExactly(1, 2, 3);
        assertThat(data.position()).isEqualTo(1);
    }

    @Test
    void decode_toByteBuffer_isAViewOfTheTransportsBytes_withoutACopy() {
        byte[] source = {4, 5, 6, 7};
        ByteBuffer data = ByteBuffer.wrap(source, 1, 3);

        ByteBuffer decoded = (ByteBuffer) codec.decode(data, ByteBuffer.class);
        source[1] = 0;

        assertThat(decoded.position()).isZero();
        assertThat(bytes(decoded)).containsExactly(0, 6, 7);
        assertThat(data.position()).isEqualTo(1);
    }

    @Test
    void decode_directBuffer_toByteBuffer_staysDirect() {
        ByteBuffer data = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();

        ByteBuffer decoded = (ByteBuffer) codec.decode(data, ByteBuffer.class);

        assertThat(decoded.isDirect()).isTrue();
        assertThat(bytes(decoded)).containsExactly(1, 2, 3);
    }

    @Test
    void decode_wholeHeapArray_toByteArray_isThatArray() {
        byte[] source = {1, 2, 3};

        assertThat((byte[]) codec.decode(ByteBuffer.wrap(source), byte[].class)).isSameAs(source);
    }

    @Test
    void decode_toObject_isByteBuffer() {
        assertThat(codec.decode(ByteBuffer.wrap(new byte[] {1}), Object.class)).isInstanceOf(ByteBuffer.class);
    }

    @Test
    void decode_directBuffer_passesThrough() {
        ByteBuffer direct = ByteBuffer.allocateDirect(2);
        direct.put((byte) 3).put((byte) 4).flip();

        assertThat((byte[]) codec.decode(direct, byte[].class)).containsExactly(3, 4);
    }

    @Test
    void decode_empty_isEmptyArrayNotNull() {
        assertThat((byte[]) codec.decode(ByteBuffer.allocate(0), byte[].class)).isNotNull().isEmpty();
        assertThat(codec.decode(ByteBuffer.allocate(0), ByteBuffer.class))
                .isInstanceOfSatisfying(ByteBuffer.class, b -> assertThat(b.remaining()).isZero());
    }

    @Test
    void roundTrip_byteArray() {
        byte[] value = {-128, 0, 127};

        assertThat((byte[]) codec.decode(codec.encode(value), byte[].class)).containsExactly(value);
    }

    @ParameterizedTest
    @ValueSource(classes = {String.class, Long.class, int[].class, List.class})
    void decode_otherType_isRejectedNamingExpectedTypes(Class<?> type) {
        assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(new byte[] {1}), type))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining(type.getTypeName())
                .hasMessageContaining("expected: byte[] or java.nio.ByteBuffer");
    }

    @Test
    void decode_parameterizedType_isRejectedNamingExpectedTypes() throws Exception {
        Type listOfBytes = Holder.class.getDeclaredField("chunks").getGenericType();

        assertThatThrownBy(() -> codec.decode(ByteBuffer.wrap(new byte[] {1}), listOfBytes))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("expected: byte[] or java.nio.ByteBuffer");
    }

    @Test
    void encode_otherType_isRejectedNamingValueClassAndExpectedTypes() {
        assertThatThrownBy(() -> codec.encode("text"))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("java.lang.String")
                .hasMessageContaining("expected: byte[] or java.nio.ByteBuffer");
        assertThatThrownBy(() -> codec.encode(new int[] {1}))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("expected: byte[] or java.nio.ByteBuffer");
    }

    @SuppressWarnings("unused")
    private static final class Holder {
        List<byte[]> chunks;
    }

    @Test
    void keepsBuffers_becauseADecodedByteBufferIsAView() {
        assertThat(codec.keepsBuffers()).isTrue();
    }
}
