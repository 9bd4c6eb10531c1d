package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcStatus;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.RpcRequest;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The client state table while the connection is still being made: a call is in C until its
 * request goes out, and a graceful cancel issued there (Can) is not lost — it follows the request
 * on the wire, never precedes it.
 */
class ClientCallConnectingTest {

    /** What the client put on the wire, in order. */
    private final List<String> wire = new CopyOnWriteArrayList<>();
    private final Sinks.One<ClientConnection> connected = Sinks.one();
    private final ParleyClient client = ParleyClient.builder().transport(mimeType -> connected.asMono()).build();

    private final ClientConnection connection = new ClientConnection() {
        @Override
        public <T> Mono<T> call(RpcRequest request, ReplyReader<T> reader) {
            return Mono.<T>never()
                    .doOnSubscribe(s -> wire.add("request " + request.callId()))
                    .doOnCancel(() -> wire.add("cancel " + request.callId()));
        }

        @Override
        public void cancelGracefully(long callId) {
            wire.add("graceful " + callId);
        }

        @Override
        public Mono<Void> onClose() {
            return Mono.never();
        }

        @Override
        public void dispose() {
        }
    };

    @AfterEach
    void stop() {
        client.dispose();
    }

    @Test
    void cancelCall_gracefulBeforeTheConnectionIsMade_returnsOk_andTheNoticeFollowsTheRequest() {
        ClientCall<String> call = client.start("hold", "x", String.class);

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).as("still waiting").isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(wire).as("nothing can go out before the connection").isEmpty();

        connected.tryEmitValue(connection);
        assertThat(wire).containsExactly("request " + call.id(), "graceful " + call.id());
        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
    }

    @Test
    void cancelCall_abortiveBeforeTheConnectionIsMade_endsTheCallAtOnce_andNoRequestGoesOut() {
        ClientCall<String> call = client.start("hold", "x", String.class);

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);
        assertThat(call.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);

        connected.tryEmitValue(connection);
        assertThat(wire).isEmpty();
    }
}
