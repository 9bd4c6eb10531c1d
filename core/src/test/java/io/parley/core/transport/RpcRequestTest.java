package io.parley.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RpcRequestTest {

    private static final ByteBuffer PAYLOAD = ByteBuffer.wrap(new byte[] {1, 2});

    @Test
    void validRequest_keepsItsComponents() {
        RpcRequest request = new RpcRequest("echo", 7, Duration.ofSeconds(3), PAYLOAD);

        assertThat(request.method()).isEqualTo("echo");
        assertThat(request.callId()).isEqualTo(7);
        assertThat(request.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(request.payload()).isSameAs(PAYLOAD);
    }

    @Test
    void noTimeoutAndNoCallId_areAllowed() {
        RpcRequest request = new RpcRequest("echo", RpcRequest.NO_CALL_ID, null, ByteBuffer.allocate(0));

        assertThat(request.timeout()).isNull();
        assertThat(request.callId()).isZero();
    }

    @Test
    void emptyMethod_isRejectedStatingExpectation() {
        assertThatThrownBy(() -> new RpcRequest("", 1, null, PAYLOAD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("method: \"\"")
                .hasMessageContaining("expected: a non-empty name");
    }

    @Test
    void nullMethodOrPayload_isRejectedNamingIt() {
        assertThatThrownBy(() -> new RpcRequest(null, 1, null, PAYLOAD))
                .isInstanceOf(NullPointerException.class).hasMessage("method");
        assertThatThrownBy(() -> new RpcRequest("echo", 1, null, null))
                .isInstanceOf(NullPointerException.class).hasMessage("payload");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -1000})
    void nonPositiveTimeout_isRejectedStatingValueAndExpectation(long millis) {
        Duration timeout = Duration.ofMillis(millis);

        assertThatThrownBy(() -> new RpcRequest("echo", 1, timeout, PAYLOAD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout: " + timeout + " (expected: > 0)");
    }

    @Test
    void smallestPositiveTimeout_isAccepted() {
        assertThat(new RpcRequest("echo", 1, Duration.ofNanos(1), PAYLOAD).timeout()).isEqualTo(Duration.ofNanos(1));
    }
}
