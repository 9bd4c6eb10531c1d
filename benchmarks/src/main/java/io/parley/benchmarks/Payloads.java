package io.parley.benchmarks;

/** The echoed bytes. */
final class Payloads {

    private Payloads() {
    }

    /** {@code size} bytes counting up from 1, so that none is empty and none is all zeros. */
    static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i + 1);
        }
        return bytes;
    }
}
