package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.parley.core.RpcStatus;

/**
 * The {@code status} tag of the call observations is bounded: well-known statuses by name, every
 * application fault code as {@code APPLICATION}, its exact value kept as a high-cardinality key.
 */
class ObservationCallObserverTest {

    private final List<Observation.Context> stopped = new ArrayList<>();
    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final ObservationRegistry registry = ObservationRegistry.create();
    private final ObservationCallObserver observer =
            new ObservationCallObserver(this.registry, ObservationCallObserver.SERVER_CALLS, "parley server");

    ObservationCallObserverTest() {
        this.registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.meters));
        this.registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStop(Observation.Context context) {
                ObservationCallObserverTest.this.stopped.add(context);
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    @Test
    void completedCall_isTaggedOk_withoutAFaultCode() {
        this.observer.start("echo").end(RpcStatus.OK);

        assertThat(lowCardinality()).containsEntry("method", "echo").containsEntry("status", "RPC_S_OK");
        assertThat(highCardinality()).doesNotContainKey(ObservationCallObserver.FAULT_CODE);
    }

    @Test
    void wellKnownFault_isTaggedByItsName_andKeepsItsCode() {
        this.observer.start("hold").end(RpcStatus.CALL_CANCELLED);

        assertThat(lowCardinality()).containsEntry("status", "RPC_S_CALL_CANCELLED");
        assertThat(highCardinality()).containsEntry(ObservationCallObserver.FAULT_CODE, "1818");
    }

    @Test
    void applicationFaultCode_isTaggedApplication_andKeepsItsExactCode() {
        this.observer.start("fail").end(RpcStatus.of(0xFFFFFFFF));

        assertThat(lowCardinality()).containsEntry("status", "APPLICATION");
        assertThat(highCardinality()).containsEntry(ObservationCallObserver.FAULT_CODE, "4294967295");
    }

    @Test
    void manyApplicationFaultCodes_makeOneTimer() {
        for (int code = 1; code <= 1000; code++) {
            this.observer.start("fail").end(RpcStatus.of(0x2000_0000 + code));
        }

        List<Timer> timers = List.copyOf(this.meters.find(ObservationCallObserver.SERVER_CALLS).tag("method", "fail").timers());
        assertThat(timers).hasSize(1);
        assertThat(timers.get(0).getId().getTag("status")).isEqualTo("APPLICATION");
        assertThat(timers.get(0).getId().getTag(ObservationCallObserver.FAULT_CODE)).as("not a meter tag").isNull();
        assertThat(timers.get(0).count()).isEqualTo(1000);
    }

    private Map<String, String> lowCardinality() {
        assertThat(this.stopped).hasSize(1);
        return toMap(this.stopped.get(0).getLowCardinalityKeyValues());
    }

    private Map<String, String> highCardinality() {
        assertThat(this.stopped).hasSize(1);
        return toMap(this.stopped.get(0).getHighCardinalityKeyValues());
    }

    private static Map<String, String> toMap(Iterable<KeyValue> keyValues) {
        List<KeyValue> list = new ArrayList<>();
        keyValues.forEach(list::add);
        return list.stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }
}
