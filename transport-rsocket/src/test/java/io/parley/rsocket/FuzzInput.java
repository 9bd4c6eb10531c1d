package io.parley.rsocket;

import java.util.Arrays;

/**
 * A fuzzer's bytes read front to back as the fields of what a fuzz test builds. Past the end,
 * every field reads as zero and every run of bytes as empty, so that any input, the empty one
 * included, builds something.
 */
final class FuzzInput {

    private final byte[] bytes;
    private int index;

    FuzzInput(byte[] bytes) {
        this.bytes = bytes;
    }

    boolean hasMore() {
        return index < bytes.length;
    }

    int u8() {
        return index < bytes.length ? bytes[index++] & 0xFF : 0;
    }

    int u16() {
        return u8() << 8 | u8();
    }

    int i32() {
        return u16() << 16 | u16();
    }

    long i64() {
        return (long) i32() << 32 | i32() & 0xFFFF_FFFFL;
    }

    /** The next {@code n} bytes, fewer if the input ends first. */
    byte[] bytes(int n) {
        int from = Math.min(index, bytes.length);
        int to = Math.min(bytes.length, from + n);
        index = to;
        return Arrays.copyOfRange(bytes, from, to);
    }

    /** A run of bytes preceded by its length in one byte. */
    byte[] shortBytes() {
        return bytes(u8());
    }

    /** A run of bytes preceded by its length in two bytes. */
    byte[] longBytes() {
        return bytes(u16());
    }
}
