package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Queue;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.RpcRequest;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ServerMethodTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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
    void factories_nameOver255Utf8Bytes_isRejectedStatingExpectation() {
        String twoByteEnd = "a".repeat(254) + "\u00e9";
        assertThat(twoByteEnd).as("255 characters, 256 bytes").hasSize(255);

        assertThatThrownBy(() -> ServerMethod.mono(twoByteEnd, String.class, ECHO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name: \"aaa")
                .hasMessageContaining("of 256 UTF-8 bytes")
                .hasMessageEndingWith("(expected: at most 255 UTF-8 bytes)");
        assertThatThrownBy(() -> ServerMethod.mono(twoByteEnd, String.class, ECHO_WITH_CALL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerMethod.async(twoByteEnd, Long.class, ASYNC))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void factories_nameOf255Utf8Bytes_isAccepted() {
        String threeByteChars = "\u20ac".repeat(85);

        assertThat(ServerMethod.async(threeByteChars, Long.class, ASYNC).name()).isEqualTo(threeByteChars);
        assertThat(ServerMethod.mono("a".repeat(255), String.class, ECHO).name()).hasSize(255);
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
    void monoOfARequest_emptyRequest_isRefusedWithBadStubData_andTheFunctionNeverRuns() {
        Queue<Object> seen = new ConcurrentLinkedQueue<>();
        withServer("mono-empty", ServerMethod.mono("shout", String.class, text -> {
            seen.add(text == null ? "null" : text);
            return Mono.just(text.toUpperCase(Locale.ROOT));
        }), client -> {
            StepVerifier.create(client.call("shout", null, String.class))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(RpcFault.class, fault -> {
                        assertThat(fault.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
                        assertThat(fault.getMessage()).contains("the request of 'shout' is empty");
                    }))
                    .verify(TIMEOUT);
            StepVerifier.create(client.call("shout", "hi", String.class)).expectNext("HI").expectComplete().verify(TIMEOUT);
        });
        assertThat(seen).containsExactly("hi");
    }

    @Test
    void monoOfARequest_jsonNull_isRefusedAsEmpty() {
        ParleyServer server = ParleyServer.builder()
                .method(ServerMethod.mono("shout", String.class, Mono::just))
                .transport(InProcessTransport.server("mono-json-null"))
                .bindNow();
        try {
            Session session = new Session(server, JsonCodec.create(), new io.parley.core.transport.ConnectionInfo("application/json", null, null));
            ByteBuffer jsonNull = ByteBuffer.wrap("null".getBytes(StandardCharsets.UTF_8));

            StepVerifier.create(session.handle(new RpcRequest("shout", 1, null, jsonNull)))
                    .expectErrorSatisfies(error -> assertThat(error).isInstanceOfSatisfying(RpcFault.class, fault -> {
                        assertThat(fault.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
                        assertThat(fault.getMessage()).contains("the request of 'shout' is empty");
                    }))
                    .verify(TIMEOUT);
        }
        finally {
            server.dispose();
        }
    }

    @Test
    void monoOfVoid_isGivenNull() {
        withServer("mono-void", ServerMethod.mono("ping", Void.class, none -> Mono.just("pong")), client ->
                StepVerifier.create(client.call("ping", null, String.class)).expectNext("pong").expectComplete().verify(TIMEOUT));
    }

    @Test
    void monoWithTheCall_emptyRequest_isGivenNull() {
        withServer("mono-call-empty", ServerMethod.mono("describe", String.class,
                (String request, AsyncCall<String> call) -> Mono.just(String.valueOf(request))), client ->
                StepVerifier.create(client.call("describe", null, String.class)).expectNext("null").expectComplete().verify(TIMEOUT));
    }

    @Test
    void async_emptyRequest_isGivenNull() {
        withServer("async-empty", ServerMethod.async("describe", String.class,
                (String request, AsyncCall<String> call) -> call.complete(String.valueOf(request))), client ->
                StepVerifier.create(client.call("describe", null, String.class)).expectNext("null").expectComplete().verify(TIMEOUT));
    }

    private static void withServer(String name, ServerMethod<?, ?> method, Consumer<ParleyClient> test) {
        ParleyServer server = ParleyServer.builder().method(method).transport(InProcessTransport.server(name)).bindNow();
        ParleyClient client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
        try {
            test.accept(client);
        }
        finally {
            client.dispose();
            server.dispose();
        }
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
    void toString_showsNameRequestTypeShapeAndBlocking() {
        ServerMethod<Long, Integer> method = ServerMethod.async("AsyncFunc", Long.class, ASYNC);

        assertThat(method).hasToString("ServerMethod{AsyncFunc(Long), UNARY}");
        assertThat(method.blocking()).hasToString("ServerMethod{AsyncFunc(Long), UNARY, blocking}");
    }

    @Test
    void idempotent_isDeclaredOnACopy_keptByTheOtherOptions_andShown() {
        ServerMethod<Long, Integer> original = ServerMethod.async("AsyncFunc", Long.class, ASYNC);

        ServerMethod<Long, Integer> idempotent = original.idempotent();

        assertThat(original.isIdempotent()).isFalse();
        assertThat(idempotent.isIdempotent()).isTrue();
        assertThat(idempotent.idempotent()).isSameAs(idempotent);
        assertThat(idempotent.blocking().isIdempotent()).isTrue();
        assertThat(idempotent.access(AccessRule.permitAll()).isIdempotent()).isTrue();
        assertThat(original.blocking().idempotent().isBlocking()).isTrue();
        assertThat(idempotent.blocking()).hasToString("ServerMethod{AsyncFunc(Long), UNARY, blocking, idempotent}");
    }
}
