package io.parley.benchmarks;

/**
 * The JSON systems' request and reply: {@code {"text":"..."}}, with as many characters of text
 * as the payload has bytes.
 *
 * @param text the echoed text
 */
public record EchoMessage(String text) {

    static EchoMessage ofSize(int size) {
        return new EchoMessage("x".repeat(size));
    }
}
