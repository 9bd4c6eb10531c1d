package io.parley.core.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.parley.core.CancelReason;

/**
 * The observation {@value ParleyObservations#SERVER_CALLS}, named {@code "parley server <method>"}
 * in traces, with the keys {@link ParleyObservations} describes. Extend it to add keys of your own.
 */
public class DefaultServerCallObservationConvention implements ServerCallObservationConvention {

    /** The convention, as {@link ParleyObservations#serverInterceptor(io.micrometer.observation.ObservationRegistry)} uses it. */
    public static final DefaultServerCallObservationConvention INSTANCE = new DefaultServerCallObservationConvention();

    @Override
    public String getName() {
        return ParleyObservations.SERVER_CALLS;
    }

    @Override
    public String getContextualName(ServerCallObservationContext context) {
        return "parley server " + context.getCall().method();
    }

    /** {@value ParleyObservations#METHOD}; once the call has ended, {@value ParleyObservations#STATUS} and {@value ParleyObservations#CANCEL}. */
    @Override
    public KeyValues getLowCardinalityKeyValues(ServerCallObservationContext context) {
        KeyValues keys = Keys.lowCardinality(context.getCall().method(), context.getStatus());
        if (context.getStatus() == null) {
            return keys;
        }
        CancelReason reason = context.getCancelReason();
        return keys.and(KeyValue.of(ParleyObservations.CANCEL,
                reason != null ? reason.tagValue() : ParleyObservations.NOT_CANCELLED));
    }

    /** {@value ParleyObservations#FAULT_CODE}, for a call that ended with a fault. */
    @Override
    public KeyValues getHighCardinalityKeyValues(ServerCallObservationContext context) {
        return Keys.highCardinality(context.getStatus());
    }
}
