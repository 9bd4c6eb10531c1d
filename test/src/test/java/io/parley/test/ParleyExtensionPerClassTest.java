package io.parley.test;

import static io.parley.test.ParleyAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import reactor.core.publisher.Mono;

/** On a static field, the extension's server serves the whole class; its record starts afresh for each test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParleyExtensionPerClassTest {

    @RegisterExtension
    static final ParleyExtension PARLEY = ParleyExtension.inProcess()
            .method(ServerMethod.mono("echo", String.class, Mono::just));

    private static final AtomicReference<ParleyServer> FIRST = new AtomicReference<>();

    @Test
    @Order(1)
    void first() {
        FIRST.set(PARLEY.server());
        assertThatCall(PARLEY.client().call("echo", "1", String.class)).repliesWith("1");
        assertThat(PARLEY.awaitServed("echo").method()).isEqualTo("echo");
    }

    @Test
    @Order(2)
    void second_sameServer_freshRecord() {
        assertThat(PARLEY.server()).isSameAs(FIRST.get());
        assertThat(PARLEY.server().isDisposed()).isFalse();
        assertThat(PARLEY.served()).isEmpty();
        assertThatCall(PARLEY.client().call("echo", "2", String.class)).repliesWith("2");
        assertThat(PARLEY.awaitServed("echo").method()).isEqualTo("echo");
    }
}
