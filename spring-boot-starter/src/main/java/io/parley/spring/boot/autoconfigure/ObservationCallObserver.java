package io.parley.spring.boot.autoconfigure;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.parley.core.CallObserver;

/**
 * A Micrometer {@link Observation} around every call. With Micrometer's default meter handler
 * this gives a timer named after the observation, tagged {@code method} and {@code status} (the
 * final status's name: {@code RPC_S_OK}, {@code RPC_S_CALL_CANCELLED}, a fault code), and a
 * long task timer {@code <name>.active} of the calls in flight by method.
 */
final class ObservationCallObserver implements CallObserver {

    /** The observation of the server's calls. */
    static final String SERVER_CALLS = "parley.server.calls";

    /** The observation of the client's calls. */
    static final String CLIENT_CALLS = "parley.client.calls";

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
        return (status) -> observation.lowCardinalityKeyValue(KeyValue.of("status", status.name())).stop();
    }
}
