/**
 * Parley's benchmarks: the same echo served by raw RSocket, Parley, Spring's RSocket messaging,
 * gRPC-Java and raw Netty, measured side by side in one JVM. {@link io.parley.benchmarks.Bench}
 * runs them; not an API.
 */
@NullMarked
package io.parley.benchmarks;

import org.jspecify.annotations.NullMarked;
