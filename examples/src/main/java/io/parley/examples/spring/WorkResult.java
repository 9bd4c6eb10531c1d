package io.parley.examples.spring;

/**
 * The outcome of finished work.
 *
 * @param callId the Parley call that did it
 * @param steps the steps done
 */
public record WorkResult(long callId, int steps) {
}
