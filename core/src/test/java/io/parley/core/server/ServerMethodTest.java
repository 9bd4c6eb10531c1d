package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Function;

import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

class ServerMethodTest {

    private static final Function<String, Mono<String>> ECHO = Mono::just;
    private static final MonoHandler<String, String> ECHO_WITH_CALL = (request, call) -> Mono.just(request);
    private static final AsyncHandler<Long, Integer> ASYNC = (request, call) -> call.complete(1);

    @Test
    void factories_keepNameAndRequestType_notBlocking() {
        ServerMethod<String, String> mono = ServerMethod.mono("echo", String.class, ECHO);
        ServerMethod<String, String> monoWithCall = ServerMethod.mono("echo2", String.class, ECHO_WITH_CALL);
        ServerMethod<Long, Integer> async = ServerMethod.async("AsyncFunc", Long.class, ASYNC);

        assertThat(mono.name()).isEqualTo("echo");
        assertThat(mono.requestType()).isEqualTo(String.class);
        assertThat(monoWithCall.name()).isEqualTo("echo2");
        assertThat(monoWithCall.requestType()).isEqualTo(String.class);
        assertThat(async.name()).isEqualTo("AsyncFunc");
        assertThat(async.requestType()).isEqualTo(Long.class);
        assertThat(mono.isBlocking()).isFalse();
        assertThat(monoWithCall.isBlocking()).isFalse();
        assertThat(async.isBlocking()).isFalse();
    }

    @Test
    void factories_emptyName_isRejectedStatingExpectation() {
        assertThatThrownBy(() -> ServerMethod.mono("", String.class, ECHO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name: \"\"")
                .hasMessageContaining("expected: a method name that is not blank");
        assertThatThrownBy(() -> ServerMethod.mono("", String.class, ECHO_WITH_CALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name: \"\"");
        assertThatThrownBy(() -> ServerMethod.async("", Long.class, ASYNC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name: \"\"");
    }

    @Test
    void factories_nullHandler_isRejectedNamingIt() {
        assertThatThrownBy(() -> ServerMethod.mono("echo", String.class, (Function<String, Mono<String>>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("handler");
        assertThatThrownBy(() -> ServerMethod.mono("echo", String.class, (MonoHandler<String, String>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("handler");
        assertThatThrownBy(() -> ServerMethod.async("echo", String.class, (AsyncHandler<String, String>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("handler");
    }

    @Test
    void factories_nullNameOrRequestType_isRejectedNamingIt() {
        assertThatThrownBy(() -> ServerMethod.mono(null, String.class, ECHO))
                .isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> ServerMethod.async("AsyncFunc", null, ASYNC))
                .isInstanceOf(NullPointerException.class).hasMessage("requestType");
    }

    @Test
    void blocking_returnsBlockingCopyAndLeavesOriginalUnchanged() {
        ServerMethod<Long, Integer> original = ServerMethod.async("AsyncFunc", Long.class, ASYNC);

        ServerMethod<Long, Integer> blocking = original.blocking();

        assertThat(blocking).isNotSameAs(original);
        assertThat(blocking.isBlocking()).isTrue();
        assertThat(blocking.name()).isEqualTo("AsyncFunc");
        assertThat(blocking.requestType()).isEqualTo(Long.class);
        assertThat(blocking.invoker()).isSameAs(original.invoker());
        assertThat(original.isBlocking()).isFalse();
    }

    @Test
    void blocking_onBlockingMethod_isIdempotent() {
        ServerMethod<Long, Integer> blocking = ServerMethod.async("AsyncFunc", Long.class, ASYNC).blocking();

        assertThat(blocking.blocking()).isSameAs(blocking);
        assertThat(blocking.blocking().isBlocking()).isTrue();
    }

    @Test
    void toString_showsNameRequestTypeAndBlocking() {
        ServerMethod<Long, Integer> method = ServerMethod.async("AsyncFunc", Long.class, ASYNC);

        assertThat(method).hasToString("ServerMethod{AsyncFunc(Long)}");
        assertThat(method.blocking()).hasToString("ServerMethod{AsyncFunc(Long), blocking}");
    }
}
