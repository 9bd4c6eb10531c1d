package io.parley.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Parley's codecs fed whatever bytes a peer may send as a request or a reply: JSON, CBOR and raw
 * bytes, decoded as the kinds of types handlers declare. Each decodes a value or throws
 * {@link CodecException}, which Parley turns into {@code RPC_X_BAD_STUB_DATA}; nothing else. The
 * bytes read from an array and from direct memory (where Jackson reads through a stream) decode
 * the same.
 *
 * <p>Input layout: 1 byte choosing the codec and the type, then the bytes to decode. The corpus
 * under {@code CodecFuzzTestInputs/} is replayed by every build; see the README's "Fuzzing".
 */
class CodecFuzzTest {

    record Order(String item, int quantity, List<String> tags) {
    }

    /** Holders of generic types, read through {@link java.lang.reflect.Field#getGenericType()}. */
    @SuppressWarnings("unused")
    private static final class Types {
        List<Long> longs;
        Map<String, Order> orders;
    }

    private static final List<Codec> CODECS = List.of(JsonCodec.create(), CborCodec.create(), BytesCodec.create());

    private static final List<Type> TYPES = List.of(String.class, Integer.class, Double.class, Boolean.class, Order.class,
            Object.class, byte[].class, ByteBuffer.class, genericType("longs"), genericType("orders"));

    @FuzzTest
    void decode_isAValueOrACodecException_andTheSameFromHeapAndDirectMemory(byte[] input) {
        int choice = input.length > 0 ? input[0] & 0xFF : 0;
        Codec codec = CODECS.get(choice % CODECS.size());
        Type type = TYPES.get(choice / CODECS.size() % TYPES.size());
        byte[] bytes = input.length > 0 ? Arrays.copyOfRange(input, 1, input.length) : input;

        ByteBuffer heap = ByteBuffer.wrap(bytes);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        Object fromHeap = decode(codec, heap, type);
        Object fromDirect = decode(codec, direct, type);

        if (fromHeap instanceof CodecException) {
            assertThat(fromDirect).isInstanceOf(CodecException.class);
            assertThat(((CodecException) fromHeap).getMessage()).isNotBlank();
        }
        else {
            assertThat(comparable(fromDirect)).isEqualTo(comparable(fromHeap));
        }
    }

    /** What a codec makes of the bytes: the value, or the CodecException it threw. Nothing else may be thrown. */
    private static Object decode(Codec codec, ByteBuffer data, Type type) {
        try {
            return Objects.requireNonNullElse(codec.decode(data, type), "null");
        }
        catch (CodecException e) {
            return e;
        }
    }

    /** The value with buffers and arrays, at any depth, as lists of their bytes: equal contents compare equal. */
    private static Object comparable(Object value) {
        if (value instanceof ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return comparable(bytes);
        }
        if (value instanceof byte[] bytes) {
            List<Byte> list = new ArrayList<>(bytes.length);
            for (byte b : bytes) {
                list.add(b);
            }
            return list;
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, v == null ? "null" : comparable(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(v == null ? "null" : comparable(v)));
            return copy;
        }
        return value;
    }

    private static Type genericType(String field) {
        try {
            return Types.class.getDeclaredField(field).getGenericType();
        }
        catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }
}
