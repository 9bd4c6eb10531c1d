package io.parley.core.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys the observation of a client's calls: {@link DefaultClientCallObservationConvention}
 * unless an application gives its own, to {@link ParleyObservations#clientInterceptor} or as one
 * of its registry's conventions.
 */
public interface ClientCallObservationConvention extends ObservationConvention<ClientCallObservationContext> {

    @Override
    default boolean supportsContext(Observation.Context context) {
        return context instanceof ClientCallObservationContext;
    }
}
