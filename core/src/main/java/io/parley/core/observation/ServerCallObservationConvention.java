package io.parley.core.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys the observation of a server's calls: {@link DefaultServerCallObservationConvention}
 * unless an application gives its own, to {@link ParleyObservations#serverInterceptor} or as one
 * of its registry's conventions.
 */
public interface ServerCallObservationConvention extends ObservationConvention<ServerCallObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof ServerCallObservationContext;
    }
}
