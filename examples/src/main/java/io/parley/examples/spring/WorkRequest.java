package io.parley.examples.spring;

/**
 * Slow work: {@code steps} steps of {@code stepMillis} milliseconds each.
 *
 * @param steps how many steps
 * @param stepMillis how long each step takes, in milliseconds
 */
public record WorkRequest(int steps, long stepMillis) {
}
