package io.parley.spring.boot.autoconfigure.e2e;

/** A reply. */
public record Receipt(String item, int quantity, String thread) {
}
