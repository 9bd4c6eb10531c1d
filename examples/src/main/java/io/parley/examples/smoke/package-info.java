/**
 * A throughput smoke measure: Parley's echo against RSocket-Java's own, on loopback TCP in one
 * JVM ({@link io.parley.examples.smoke.ThroughputSmoke}). A quick look at the overhead Parley
 * adds, not a benchmark.
 */
@NullMarked
package io.parley.examples.smoke;

import org.jspecify.annotations.NullMarked;
