package io.parley.examples.progress;

/**
 * A job for {@link ProgressJob}: {@code steps} steps of {@code stepMillis} milliseconds each.
 *
 * @param steps how many steps, at least 1
 * @param stepMillis how long each step takes, in milliseconds, at least 0
 */
public record Job(int steps, long stepMillis) {
}
