/**
 * Micrometer observations of Parley calls, as interceptors: a timer and a span per call on either
 * side, with the trace context carried in the call's metadata. Needs
 * {@code io.micrometer:micrometer-observation} on the class path, which parley-core declares
 * optional; {@link io.parley.core.observation.ParleyObservations} is the entry point.
 */
@NullMarked
package io.parley.core.observation;

import org.jspecify.annotations.NullMarked;
