package io.parley.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.observation.ParleyObservations;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The meters the call observations make are bounded: well-known statuses by name, every
 * application fault code as {@code APPLICATION}, its exact value kept out of the meters; unknown
 * methods under one name; the server's cancel reason as a tag of its own.
 */
class ParleyCallMetricsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final MeterRegistry meters = new SimpleMeterRegistry();
    private final ObservationRegistry registry = ObservationRegistry.create();
    private final java.util.Queue<AsyncCall<String>> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private ParleyServer server;
    private ParleyClient client;

    @BeforeEach
    void start() {
        this.registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(this.meters));
        String name = "metrics-" + System.nanoTime();
        this.server = ParleyServer.builder()
            .method(ServerMethod.mono("echo", String.class, Mono::just))
            .method(ServerMethod.mono("fail", Integer.class, (code) -> Mono.error(new RpcFault(code))))
            .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> this.held.add(call)))
            .interceptor(ParleyObservations.serverInterceptor(this.registry))
            .transport(InProcessTransport.server(name))
            .bindNow();
        this.client = ParleyClient.builder()
            .interceptor(ParleyObservations.clientInterceptor(this.registry))
            .transport(InProcessTransport.client(name))
            .build();
    }

    @AfterEach
    void stop() {
        this.client.dispose();
        this.server.dispose();
    }

    @Test
    void completedCall_isTimedOk_onBothSides_withoutAFaultCode() {
        assertThat(this.client.call("echo", "hi", String.class).block(TIMEOUT)).isEqualTo("hi");

        Timer server = this.meters.get(ParleyObservations.SERVER_CALLS).tag("method", "echo").timer();
        assertThat(server.getId().getTag("status")).isEqualTo("RPC_S_OK");
        assertThat(server.getId().getTag("cancel")).isEqualTo("none");
        assertThat(server.getId().getTag(ParleyObservations.FAULT_CODE)).isNull();
        assertThat(this.meters.get(ParleyObservations.CLIENT_CALLS).tag("method", "echo").tag("status", "RPC_S_OK")
            .timer().count()).isEqualTo(1);
        assertThat(this.meters.get(ParleyObservations.SERVER_CALLS + ".active").longTaskTimer().activeTasks()).isZero();
    }

    @Test
    void manyApplicationFaultCodes_makeOneTimer() {
        Flux.range(1, 200)
            .concatMap((code) -> this.client.call("fail", 0x2000_0000 + code, String.class).onErrorResume((e) -> Mono.empty()))
            .blockLast(TIMEOUT);

        List<Timer> timers = List.copyOf(this.meters.find(ParleyObservations.SERVER_CALLS).tag("method", "fail").timers());
        assertThat(timers).hasSize(1);
        assertThat(timers.get(0).getId().getTag("status")).isEqualTo("APPLICATION");
        assertThat(timers.get(0).getId().getTag(ParleyObservations.FAULT_CODE)).as("not a meter tag").isNull();
        assertThat(timers.get(0).count()).isEqualTo(200);
        assertThat(this.meters.find(ParleyObservations.CLIENT_CALLS).tag("method", "fail").timers()).hasSize(1);
    }

    @Test
    void unknownMethods_makeOneTimer() {
        for (int i = 0; i < 50; i++) {
            this.client.call("no-such-method-" + i, "x", String.class).onErrorResume((e) -> Mono.empty()).block(TIMEOUT);
        }

        Timer unknown = this.meters.get(ParleyObservations.SERVER_CALLS).tag("method", "UNKNOWN").timer();
        assertThat(unknown.getId().getTag("status")).isEqualTo("RPC_S_PROCNUM_OUT_OF_RANGE");
        assertThat(unknown.count()).isEqualTo(50);
        assertThat(this.meters.find(ParleyObservations.SERVER_CALLS).timers()).hasSize(1);
    }

    @Test
    void abortiveCancel_isTaggedByItsReason_onTheServer() {
        Disposable call = this.client.call("hold", "x", String.class).subscribe();
        AsyncCall<String> handle = await(this.held::poll);
        call.dispose();

        Timer server = await(() -> this.meters.find(ParleyObservations.SERVER_CALLS).tag("method", "hold").timer());
        assertThat(server.getId().getTag("status")).isEqualTo("RPC_S_CALL_CANCELLED");
        assertThat(server.getId().getTag("cancel")).isEqualTo("abortive");
        assertThat(this.meters.get(ParleyObservations.CLIENT_CALLS).tag("method", "hold")
            .tag("status", "RPC_S_CALL_CANCELLED").timer().count()).isEqualTo(1);
        assertThat(handle.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(this.meters.get(ParleyObservations.SERVER_CALLS).tag("method", "hold").timer().count())
            .as("the handler's late reply is no second end").isEqualTo(1);
    }

    private static <T> T await(Supplier<T> value) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        T found;
        while ((found = value.get()) == null) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.onSpinWait();
        }
        return found;
    }
}
