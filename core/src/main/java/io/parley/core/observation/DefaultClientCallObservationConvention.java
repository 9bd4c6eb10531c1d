package io.parley.core.observation;

import io.micrometer.common.KeyValues;

/**
 * The observation {@value ParleyObservations#CLIENT_CALLS}, named {@code "parley client <method>"}
 * in traces, with the keys {@link ParleyObservations} describes. Extend it to add keys of your own.
 */
public class DefaultClientCallObservationConvention implements ClientCallObservationConvention {

    /** The convention, as {@link ParleyObservations#clientInterceptor(io.micrometer.observation.ObservationRegistry)} uses it. */
    public static final DefaultClientCallObservationConvention INSTANCE = new DefaultClientCallObservationConvention();

    @Override
    public String getName() {
        return ParleyObservations.CLIENT_CALLS;
    }

    @Override
    public String getContextualName(ClientCallObservationContext context) {
        return "parley client " + context.getCall().method();
    }

    /** {@value ParleyObservations#METHOD}; once the call has ended, {@value ParleyObservations#STATUS}. */
    @Override
    public KeyValues getLowCardinalityKeyValues(ClientCallObservationContext context) {
        return Keys.lowCardinality(context.getCall().method(), context.getStatus());
    }

    /** {@value ParleyObservations#FAULT_CODE}, for a call that ended with a fault. */
    @Override
    public KeyValues getHighCardinalityKeyValues(ClientCallObservationContext context) {
        return Keys.highCardinality(context.getStatus());
    }
}
