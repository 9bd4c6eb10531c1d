package io.parley.core.observation;

import org.jspecify.annotations.Nullable;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.parley.core.RpcStatus;

/** The key values both sides' default conventions share. */
final class Keys {

    private Keys() {
    }

    /** The method; with the status once there is one. Before the end, what a meter of the calls in flight is tagged with. */
    static KeyValues lowCardinality(String method, @Nullable RpcStatus status) {
        KeyValue methodKey = KeyValue.of(ParleyObservations.METHOD, method);
        return status == null ? KeyValues.of(methodKey)
                : KeyValues.of(methodKey, KeyValue.of(ParleyObservations.STATUS, ParleyObservations.statusValue(status)));
    }

    /** The exact fault code, in unsigned decimal, of a call that ended with a fault. */
    static KeyValues highCardinality(@Nullable RpcStatus status) {
        return status == null || status.isOk() ? KeyValues.empty()
                : KeyValues.of(ParleyObservations.FAULT_CODE, Long.toString(status.unsignedValue()));
    }
}
