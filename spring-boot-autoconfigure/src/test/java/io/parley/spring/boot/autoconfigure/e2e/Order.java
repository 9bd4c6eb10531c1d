package io.parley.spring.boot.autoconfigure.e2e;

/** A request. */
public record Order(String item, int quantity) {
}
