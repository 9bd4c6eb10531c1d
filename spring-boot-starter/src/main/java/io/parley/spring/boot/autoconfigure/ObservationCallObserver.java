package io.parley.spring.boot.autoconfigure;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.parley.core.CallObserver;
import io.parley.core.RpcStatus;

/**
 * A Micrometer {@link Observation} around every call. With Micrometer's default meter handler
 * this gives a timer named after the observation, tagged {@code method} and {@code status}, and a
 * long task timer {@code <name>.active} of the calls in flight by method.
 *
 * <p>The {@code status} tag is the final status's name for a well-known status
 * ({@code RPC_S_OK}, {@code RPC_S_CALL_CANCELLED}, ...) and {@value #APPLICATION} for any other,
 * an application's own fault code: there are 2^32 of those, too many for meter tags. A call that
 * did not end {@code RPC_S_OK} also carries its exact code, as an unsigned decimal, in the
 * high-cardinality key {@value #FAULT_CODE}, which traces keep and meters do not.
 */
final class ObservationCallObserver implements CallObserver {

    /** The observation of the server's calls. */
    static final String SERVER_CALLS = "parley.server.calls";

    /** The observation of the client's calls. */
    static final String CLIENT_CALLS = "parley.client.calls";

    /** The {@code status} tag of a call that ended with an application's own fault code. */
    static final String APPLICATION = "APPLICATION";

    /** The high-cardinality key that holds the exact fault code of a call that did not end OK. */
    static final String FAULT_CODE = "fault.code";

    private final ObservationRegistry registry;
    private final String name;
    private final String side;

    ObservationCallObserver(ObservationRegistry registry, String name, String side) {
        this.registry = registry;
        this.name = name;
        this.side = side;
    }

    @Override
    public Scope start(String method) {
        if (this.registry.isNoop()) {
            return Scope.NONE;
        }
        Observation observation = Observation.createNotStarted(this.name, this.registry)
            .contextualName(this.side + " " + method)
            .lowCardinalityKeyValue(KeyValue.of("method", method))
            .start();
        return (status) -> {
            observation.lowCardinalityKeyValue(KeyValue.of("status", statusTag(status)));
            if (!status.isOk()) {
                observation.highCardinalityKeyValue(KeyValue.of(FAULT_CODE, Long.toString(status.unsignedValue())));
            }
            observation.stop();
        };
    }

    /** The {@code status} tag a call that ended with the given status carries. */
    private static String statusTag(RpcStatus status) {
        return status.isWellKnown() ? status.name() : APPLICATION;
    }
}
