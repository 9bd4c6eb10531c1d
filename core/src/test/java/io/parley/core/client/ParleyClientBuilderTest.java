package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.codec.BytesCodec;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ParleyClientBuilderTest {

    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(5);

    /** A transport that records what the client announces and sends, and replies with fixed bytes. */
    private static final class RecordingTransport implements ClientTransport {
        final List<String> announcedMimeTypes = new CopyOnWriteArrayList<>();
        final List<RpcRequest> requests = new CopyOnWriteArrayList<>();
        final byte[] reply;

        RecordingTransport(byte[] reply) {
            this.reply = reply;
        }

        @Override
        public ClientConnection connect(ClientSetup setup) {
            announcedMimeTypes.add(setup.dataMimeType());
            return new ClientConnection() {
                @Override
                public TransportCall newCall(RpcRequest request) {
                    requests.add(request);
                    return new TransportCall() {
                        @Override
                        public void start(Listener listener) {
                            listener.onNext(ByteBuffer.wrap(reply));
                            listener.onComplete();
                        }

                        @Override
                        public void request(long n) {
                            // one reply, sent as the call starts
                        }

                        @Override
                        public void cancel() {
                        }

                        @Override
                        public void cancelGracefully() {
                        }
                    };
                }

                @Override
                public void dispose() {
                }
            };
        }

        @Override
        public String toString() {
            return "recording";
        }
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void build_withoutTransport_throwsIllegalStateExceptionSayingWhatIsExpected() {
        ParleyClient.Builder builder = ParleyClient.builder();

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("transport")
                .hasMessageContaining("expected: a ClientTransport");
    }

    @Test
    void nullArguments_areRejectedNamingThem() {
        ParleyClient.Builder builder = ParleyClient.builder();

        assertThatThrownBy(() -> builder.transport(null)).isInstanceOf(NullPointerException.class).hasMessage("transport");
        assertThatThrownBy(() -> builder.codec(null)).isInstanceOf(NullPointerException.class).hasMessage("codec");
        assertThatThrownBy(() -> builder.defaultOptions(null)).isInstanceOf(NullPointerException.class).hasMessage("options");
    }

    @Test
    void build_opensItsOneConnection_butSendsNothingUntilTheFirstCall() {
        RecordingTransport transport = new RecordingTransport("\"pong\"".getBytes(StandardCharsets.UTF_8));

        ParleyClient client = ParleyClient.builder().transport(transport).build();
        client.call("ping", "hello", String.class);

        assertThat(transport.announcedMimeTypes).containsExactly("application/json");
        assertThat(transport.requests).as("a Mono not subscribed to sends nothing").isEmpty();
        assertThat(client.isDisposed()).isFalse();
    }

    @Test
    void build_withDefaults_speaksJson() {
        RecordingTransport transport = new RecordingTransport("\"pong\"".getBytes(StandardCharsets.UTF_8));
        ParleyClient client = ParleyClient.builder().transport(transport).build();

        StepVerifier.create(client.call("ping", "hello", String.class))
                .expectNext("pong")
                .expectComplete()
                .verify(VERIFY_TIMEOUT);

        assertThat(transport.announcedMimeTypes).containsExactly("application/json");
        assertThat(transport.requests).singleElement()
                .satisfies(request -> {
                    assertThat(request.method()).isEqualTo("ping");
                    assertThat(text(request.payload())).isEqualTo("\"hello\"");
                    assertThat(request.timeout()).isNull();
                });
        assertThat(client).hasToString("ParleyClient{recording, application/json}");
    }

    @Test
    void codec_isUsedForRequestsRepliesAndAnnouncedOnConnect() {
        RecordingTransport transport = new RecordingTransport(new byte[] {4, 5});
        ParleyClient client = ParleyClient.builder().transport(transport).codec(BytesCodec.create()).build();

        StepVerifier.create(client.call("echo", new byte[] {1, 2, 3}, byte[].class))
                .assertNext(reply -> assertThat(reply).containsExactly(4, 5))
                .expectComplete()
                .verify(VERIFY_TIMEOUT);

        assertThat(transport.announcedMimeTypes).containsExactly("application/octet-stream");
        assertThat(transport.requests.get(0).payload().remaining()).isEqualTo(3);
    }

    @Test
    void defaultOptions_serverTimeoutTravelsWithCallsMadeWithoutOptions() {
        RecordingTransport transport = new RecordingTransport("1".getBytes(StandardCharsets.UTF_8));
        ParleyClient client = ParleyClient.builder()
                .transport(transport)
                .defaultOptions(CallOptions.timeout(Duration.ofSeconds(30)))
                .build();

        StepVerifier.create(client.call("count", null, Integer.class))
                .expectNext(1)
                .expectComplete()
                .verify(VERIFY_TIMEOUT);

        assertThat(transport.requests.get(0).timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void transportThatThrows_endsCallWithServerUnavailable() {
        ClientTransport refusing = setup -> new ClientConnection() {
            @Override
            public TransportCall newCall(RpcRequest request) {
                throw new IllegalStateException("refused");
            }

            @Override
            public void dispose() {
            }
        };
        ParleyClient client = ParleyClient.builder().transport(refusing).build();

        StepVerifier.create(client.call("ping", null, String.class))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOfSatisfying(RpcFault.class,
                                fault -> assertThat(fault.status()).isSameAs(RpcStatus.SERVER_UNAVAILABLE)))
                .verify(VERIFY_TIMEOUT);
    }
}
