package io.parley.spring.boot.autoconfigure.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.env.Environment;

import io.parley.core.RpcFault;
import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import reactor.test.StepVerifier;

/**
 * {@code parley.server.mapping-path}: Parley served over WebSocket on the application's own
 * WebFlux server, no port of its own, and the injected client reaching it there.
 */
@SpringBootTest(classes = ShapesApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = "parley.server.mapping-path=/parley")
class MappingPathTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Autowired
    ShapesClient client;

    @Autowired
    ParleyServerBootstrap bootstrap;

    @Autowired
    Environment environment;

    @Test
    void callsGoOverTheWebServersPort_atThePath() {
        StepVerifier.create(this.client.place(new Order("tea", 3)))
            .assertNext((receipt) -> assertThat(receipt.quantity()).isEqualTo(3))
            .expectComplete()
            .verify(TIMEOUT);
        StepVerifier.create(this.client.fail(0xFFFFFFFF))
            .expectErrorSatisfies((error) -> assertThat(((RpcFault) error).faultCode()).isEqualTo(0xFFFFFFFF))
            .verify(TIMEOUT);
        assertThat(this.bootstrap.getServer().address()).contains("/parley");
        assertThat(this.environment.getProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY)).isNull();
    }
}
