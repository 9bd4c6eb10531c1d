package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.BytesCodec;
import io.parley.core.codec.CborCodec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportServer;
import reactor.core.publisher.Mono;

class ParleyServerBuilderTest {

    private static final ServerMethod<String, String> ECHO = ServerMethod.mono("echo", String.class, Mono::just);
    private static final ServerMethod<Long, Integer> ASYNC_FUNC =
            ServerMethod.async("AsyncFunc", Long.class, (request, call) -> call.complete(0));

    /** A transport that binds at once and keeps the acceptor Parley hands it. */
    private static final class RecordingTransport implements ServerTransport {
        final AtomicReference<CallAcceptor> acceptor = new AtomicReference<>();

        @Override
        public Mono<TransportServer> bind(CallAcceptor acceptor) {
            this.acceptor.set(acceptor);
            return Mono.just(new TransportServer() {
                @Override
                public String address() {
                    return "test:recording";
                }

                @Override
                public Mono<Void> onClose() {
                    return Mono.empty();
                }

                @Override
                public void dispose() {
                }
            });
        }
    }

    /** A transport that a test expects never to be bound. */
    private static final ServerTransport MUST_NOT_BIND = acceptor -> {
        throw new AssertionError("bind() reached the transport");
    };

    @Test
    void method_duplicateName_isRejectedNamingTheMethod() {
        ParleyServer.Builder builder = ParleyServer.builder().method(ECHO);
        ServerMethod<Integer, Integer> otherEcho = ServerMethod.mono("echo", Integer.class, Mono::just);

        assertThatThrownBy(() -> builder.method(otherEcho))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'echo'")
                .hasMessageContaining("expected: a name not yet served");
    }

    @Test
    void method_duplicateName_keepsTheFirstMethod() {
        RecordingTransport transport = new RecordingTransport();
        ParleyServer.Builder builder = ParleyServer.builder().method(ECHO).transport(transport);
        ServerMethod<String, String> blockingEcho = ECHO.blocking();

        assertThatThrownBy(() -> builder.method(blockingEcho)).isInstanceOf(IllegalArgumentException.class);

        assertThat(builder.bindNow().methods()).containsOnlyKeys("echo").containsEntry("echo", ECHO);
    }

    @Test
    void methods_iterableWithDuplicate_isRejectedNamingTheMethod() {
        ServerMethod<Long, Integer> again = ServerMethod.async("AsyncFunc", Long.class, (request, call) -> call.abort(5));

        assertThatThrownBy(() -> ParleyServer.builder().methods(List.of(ECHO, ASYNC_FUNC, again)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'AsyncFunc'");
    }

    @Test
    void codec_duplicateMimeType_isRejectedNamingTheMimeType() {
        ParleyServer.Builder builder = ParleyServer.builder().codec(JsonCodec.create());

        assertThatThrownBy(() -> builder.codec(JsonCodec.create()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("application/json")
                .hasMessageContaining("expected: one codec per MIME type");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void maxCallsPerConnection_notPositive_isRejectedStatingValueAndExpectation(int max) {
        assertThatThrownBy(() -> ParleyServer.builder().maxCallsPerConnection(max))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxCallsPerConnection: " + max + " (expected: > 0)");
    }

    @Test
    void maxCallsPerConnection_isUnlimitedByDefaultAndKeptWhenSet() {
        ParleyServer unlimited = ParleyServer.builder().method(ECHO).transport(new RecordingTransport()).bindNow();
        ParleyServer limited = ParleyServer.builder().method(ECHO).maxCallsPerConnection(1)
                .transport(new RecordingTransport()).bindNow();

        assertThat(unlimited.maxCallsPerConnection()).isEqualTo(Integer.MAX_VALUE);
        assertThat(limited.maxCallsPerConnection()).isEqualTo(1);
    }

    @Test
    void bind_withoutTransport_throwsIllegalStateExceptionSayingWhatIsExpected() {
        ParleyServer.Builder builder = ParleyServer.builder().method(ECHO);

        assertThatThrownBy(builder::bind)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transport")
                .hasMessageContaining("expected: a ServerTransport");
    }

    @Test
    void bind_withoutMethods_throwsIllegalStateExceptionSayingWhatIsExpected() {
        ParleyServer.Builder builder = ParleyServer.builder().transport(MUST_NOT_BIND);

        assertThatThrownBy(builder::bind)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("methods")
                .hasMessageContaining("expected: at least one ServerMethod");
    }

    @Test
    void bindNow_transportThatCompletesEmpty_throwsIllegalStateException() {
        ParleyServer.Builder builder = ParleyServer.builder().method(ECHO).transport(acceptor -> Mono.empty());

        assertThatThrownBy(builder::bindNow)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("without binding");
    }

    @Test
    void nullArguments_areRejectedNamingThem() {
        ParleyServer.Builder builder = ParleyServer.builder();

        assertThatThrownBy(() -> builder.method(null)).isInstanceOf(NullPointerException.class).hasMessage("method");
        assertThatThrownBy(() -> builder.methods(null)).isInstanceOf(NullPointerException.class).hasMessage("methods");
        assertThatThrownBy(() -> builder.codec(null)).isInstanceOf(NullPointerException.class).hasMessage("codec");
        assertThatThrownBy(() -> builder.transport(null)).isInstanceOf(NullPointerException.class).hasMessage("transport");
    }

    @Test
    void bindNow_servesTheMethodsInOrderAtTheTransportsAddress() {
        ParleyServer server = ParleyServer.builder()
                .methods(List.of(ECHO, ASYNC_FUNC))
                .transport(new RecordingTransport())
                .bindNow();

        assertThat(server.methods()).containsOnlyKeys("echo", "AsyncFunc");
        assertThat(server.methods().keySet()).containsExactly("echo", "AsyncFunc");
        assertThat(server.method("AsyncFunc")).isSameAs(ASYNC_FUNC);
        assertThat(server.address()).isEqualTo("test:recording");
        assertThatThrownBy(() -> server.methods().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void builtServer_isNotChangedByLaterBuilderCalls() {
        ParleyServer.Builder builder = ParleyServer.builder().method(ECHO).transport(new RecordingTransport());
        ParleyServer server = builder.bindNow();

        builder.method(ASYNC_FUNC);

        assertThat(server.methods()).containsOnlyKeys("echo");
    }

    @Test
    void withoutCodecs_serverSpeaksJsonAndCborOnly() {
        RecordingTransport transport = new RecordingTransport();
        ParleyServer.builder().method(ECHO).transport(transport).bindNow();
        CallAcceptor acceptor = transport.acceptor.get();

        assertThat(acceptor.openSession(JsonCodec.MIME_TYPE)).isNotNull();
        assertThat(acceptor.openSession(CborCodec.MIME_TYPE)).isNotNull();
        assertThatThrownBy(() -> acceptor.openSession(BytesCodec.MIME_TYPE))
                .isInstanceOfSatisfying(RpcFault.class,
                        fault -> assertThat(fault.status()).isSameAs(RpcStatus.PROTOCOL_ERROR))
                .hasMessageContaining(BytesCodec.MIME_TYPE)
                .hasMessageContaining("[" + JsonCodec.MIME_TYPE + ", " + CborCodec.MIME_TYPE + "]");
    }

    @Test
    void withCodecs_serverSpeaksExactlyThoseCodecs() {
        RecordingTransport transport = new RecordingTransport();
        ParleyServer.builder().method(ECHO).codec(BytesCodec.create()).transport(transport).bindNow();
        CallAcceptor acceptor = transport.acceptor.get();

        assertThat(acceptor.openSession(BytesCodec.MIME_TYPE)).isNotNull();
        assertThatThrownBy(() -> acceptor.openSession(JsonCodec.MIME_TYPE))
                .isInstanceOfSatisfying(RpcFault.class,
                        fault -> assertThat(fault.status()).isSameAs(RpcStatus.PROTOCOL_ERROR));
        assertThatThrownBy(() -> acceptor.openSession(CborCodec.MIME_TYPE))
                .isInstanceOfSatisfying(RpcFault.class,
                        fault -> assertThat(fault.status()).isSameAs(RpcStatus.PROTOCOL_ERROR));
    }
}
