package io.parley.spring.boot.autoconfigure.e2e;

import static io.parley.test.ParleyAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;

import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import io.parley.spring.boot.test.AutoConfigureParleyInProcess;
import reactor.test.StepVerifier;

/**
 * {@code @AutoConfigureParleyInProcess}: the application's {@code @ParleyStub} beans reach its own
 * {@code @ParleyService} beans in-process, through the whole call model, and no port is bound —
 * although the application's properties name one.
 */
@SpringBootTest(classes = ShapesApplication.class, webEnvironment = WebEnvironment.NONE,
        properties = { "parley.server.port=7070", "parley.client.targets=127.0.0.1:1" })
@AutoConfigureParleyInProcess
class InProcessSpringBootTest {

    @Autowired
    private ShapesClient client;

    @Autowired
    private ParleyServerBootstrap bootstrap;

    @Autowired
    private Environment environment;

    @Test
    void aStubCallsTheApplicationsOwnServiceInProcess() {
        StepVerifier.create(this.client.place(new Order("tea", 2)))
            .assertNext((receipt) -> assertThat(receipt.item()).isEqualTo("tea"))
            .expectComplete()
            .verify(Duration.ofSeconds(10));
        assertThat(this.bootstrap.getServer()).isNotNull();
        assertThat(this.bootstrap.getServer().address()).startsWith("in-process:");
        assertThat(this.environment.getProperty("local.parley.server.port")).isNull();
    }

    @Test
    void aFaultCodeReachesTheStubUnchanged() {
        assertThatCall(this.client.fail(0x0C0DE042)).endsWithFaultCode(0x0C0DE042);
    }
}
