package io.parley.spring.boot.autoconfigure.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

/**
 * {@code parley.server.admission.*} and {@code parley.server.cancel-grace} reach the server, and the
 * cost of a cancel shows in {@code parley.server.cancel.latency}.
 */
class ServerOperationsPropertiesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private ConfigurableApplicationContext context;
    private ParleyClient outside;

    @AfterEach
    void stop() {
        if (this.outside != null) {
            this.outside.dispose();
        }
        if (this.context != null) {
            this.context.close();
        }
    }

    private ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(ShapesApplication.class).web(WebApplicationType.NONE)
            .properties("parley.server.port=0", "parley.server.address=127.0.0.1", "spring.main.banner-mode=off")
            .properties(properties)
            .run();
    }

    @Test
    void theAdmissionLimitRefusesBusy_andAHandlerThatIgnoresItsCancelIsEndedAndTimed() {
        this.context = start("parley.server.admission.max-calls-in-flight=1", "parley.server.admission.max-queued=0",
                "parley.server.cancel-grace=100ms");
        int port = this.context.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
        this.outside = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", port)).build();
        ParleyServer server = this.context.getBean(ParleyServerBootstrap.class).getServer();
        ShapesService service = this.context.getBean(ShapesService.class);

        Disposable held = this.outside.call("holdAsync", "kept", String.class).subscribe((r) -> { }, (e) -> { });
        await(() -> service.heldAsync.get() != null);
        assertThat(server.availableCalls()).isZero();
        StepVerifier.create(this.outside.call("shout", "x", String.class))
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY))
            .verify(TIMEOUT);

        held.dispose();

        MeterRegistry meters = this.context.getBean(MeterRegistry.class);
        await(() -> meters.find("parley.server.cancel.latency").tag("ended.by", "server").timer() != null);
        Timer latency = meters.get("parley.server.cancel.latency").tag("method", "holdAsync").timer();
        assertThat(latency.getId().getTag("reason")).isEqualTo("abortive");
        assertThat(latency.count()).isEqualTo(1);
        assertThat(service.heldAsync.get().complete("late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        StepVerifier.create(this.outside.call("shout", "x", String.class)).expectNextMatches((reply) -> reply.startsWith("X")).expectComplete().verify(TIMEOUT);
    }

    @Test
    void anAdmissionLimitThatIsNotPositive_stopsTheApplication() {
        assertThatThrownBy(() -> start("parley.server.admission.max-calls-in-flight=0"))
            .hasStackTraceContaining("parley.server.admission.max-calls-in-flight");
    }

    @Test
    void withLeases_theApplicationsOwnClientAndLeaseClientsAreServed_andClientsWithoutLeasesAreToldWhy() {
        this.context = start("parley.server.leases.enabled=true", "parley.server.leases.time-to-live=1s",
                "parley.server.admission.max-calls-in-flight=4", "parley.server.resume.enabled=true");
        int port = this.context.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);

        assertThat(this.context.getBean(ParleyClient.class).call("shout", "own", String.class).block(TIMEOUT)).startsWith("OWN");
        this.outside = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", port).leases()).build();
        assertThat(this.outside.call("shout", "leased", String.class).block(TIMEOUT)).startsWith("LEASED");
        ParleyClient withoutLeases = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", port)).build();
        try {
            StepVerifier.create(withoutLeases.call("shout", "x", String.class))
                .expectErrorSatisfies((error) -> assertThat(error).isInstanceOf(RpcFault.class).hasMessageContaining("lease"))
                .verify(TIMEOUT);
        }
        finally {
            withoutLeases.dispose();
        }
    }

    @Test
    void resumptionOverSeveralTargets_stopsTheApplication() {
        assertThatThrownBy(() -> start("parley.server.enabled=false", "parley.client.targets=127.0.0.1:7001,127.0.0.1:7002",
                "parley.client.resume.enabled=true"))
            .hasStackTraceContaining("parley.client.resume.enabled");
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s", TIMEOUT).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
