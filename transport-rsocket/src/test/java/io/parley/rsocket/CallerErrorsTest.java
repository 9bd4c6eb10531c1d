package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.exceptions.CanceledException;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Calls a caller cannot make as made end with a status that says so, never with
 * {@code RPC_S_COMM_FAILURE} (which invites a pointless retry), and the connection goes on
 * serving the other calls.
 */
@ExtendWith(NettyLeakDetection.class)
class CallerErrorsTest extends CallTestSupport {

    private RSocketFixture transport = RSocketFixture.TCP;

    @Override
    protected TransportFixture fixture() {
        return transport;
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = { "TCP", "WEBSOCKET" })
    void requestOverRSocketsFrameLimit_endsWithInvalidArg_andTheConnectionServesOn(RSocketFixture kind) {
        transport = kind;
        ParleyServer server = startServer(b -> b.maxInboundPayloadSize(64 * 1024 * 1024));
        ParleyClient client = client(server);
        Mono<String> held = client.call("hold", "carried across the refusal", String.class).cache();
        held.subscribe(v -> { }, e -> { });
        AsyncCall<String> serverCall = nextHeldCall();

        RpcFault fault = faultOf(client.call("echo", "x".repeat(17 * 1024 * 1024), String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.INVALID_ARG);
        assertThat(fault.detail()).contains("frame limit");
        assertThat(client.call("echo", "small", String.class).block(TIMEOUT)).isEqualTo("small");
        assertThat(serverCall.complete("done")).isEqualTo(RpcStatus.OK);
        assertThat(held.block(TIMEOUT)).isEqualTo("done");
    }

    @Test
    void streamRequestThatWouldFitAUnaryFrame_butNotAStreamsOpeningFrame_endsWithInvalidArg() {
        ParleyServer server = startServer(b -> b.maxInboundPayloadSize(64 * 1024 * 1024)
                .method(ServerMethod.flux("length", String.class, request -> Flux.just(request.length()))));
        ParleyClient client = client(server);
        // Two bytes short of a REQUEST_STREAM frame's limit, which counts four bytes of initial request-n more.
        int data = RSocketCall.MAX_FRAME_LENGTH - ParleyMetadataCodec.requestLength("length") - 14;
        String request = "x".repeat(data - 2);

        StepVerifier.create(client.stream("length", request, Integer.class))
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.INVALID_ARG))
                .verify(TIMEOUT);
        assertThat(client.call("echo", "small", String.class).block(TIMEOUT)).isEqualTo("small");
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = { "TCP", "WEBSOCKET" })
    void methodNameOver255Utf8Bytes_isRefusedWithInvalidArg_synchronously(RSocketFixture kind) {
        transport = kind;
        ParleyClient client = client(startServer());
        String tooLong = "m".repeat(256);

        assertThatThrownBy(() -> client.start(tooLong, "x", String.class))
                .isInstanceOfSatisfying(RpcFault.class, f -> assertThat(f.status()).isEqualTo(RpcStatus.INVALID_ARG));
        StepVerifier.create(client.call(tooLong, "x", String.class))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcFault.class,
                        f -> assertThat(f.status()).isEqualTo(RpcStatus.INVALID_ARG)))
                .verify(TIMEOUT);
        assertThat(client.call("echo", "served", String.class).block(TIMEOUT)).isEqualTo("served");
    }

    @Test
    void fragmentedRequestOverTheLimit_isRefusedWhileItArrives_notAfterItIsWhole() {
        int limit = 17 * 1024 * 1024;
        ParleyServer server = startServer(b -> b.maxInboundPayloadSize(limit));
        int port = Integer.parseInt(server.address().substring(server.address().lastIndexOf(':') + 1));
        RSocket raw = RSocketConnector.create()
                .dataMimeType("application/json")
                .metadataMimeType(ParleyMetadataCodec.COMPOSITE_MIME_TYPE)
                .fragment(64 * 1024)
                .connect(TcpClientTransport.create("127.0.0.1", port))
                .block(TIMEOUT);
        track(raw);
        byte[] data = new byte[24 * 1024 * 1024];

        StepVerifier.create(raw.requestResponse(ByteBufPayload.create(Unpooled.wrappedBuffer(data),
                        ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "echo", 1, 0))))
                // RSocket's responder stops reassembling at the limit: Parley's own check, after
                // the whole request had been buffered, would answer RPC_S_SERVER_OUT_OF_MEMORY.
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(CanceledException.class)
                        .hasMessageContaining("reassemble"))
                .verify(TIMEOUT);
        assertThat(FaultCodec.toFault(new CanceledException("Failed to reassemble payload. Cause: too big")).status())
                .isEqualTo(RpcStatus.SERVER_OUT_OF_MEMORY);
    }

    @ParameterizedTest
    @EnumSource(value = RSocketFixture.class, names = { "TCP", "WEBSOCKET" })
    void replyOverTheClientsLimit_endsWithOutOfMemory_andTheConnectionServesOn(RSocketFixture kind) {
        transport = kind;
        ParleyClient client = client(startServer(), b -> b.maxInboundPayloadSize(1024));

        RpcFault fault = faultOf(client.call("echo", "x".repeat(2000), String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.OUT_OF_MEMORY);
        assertThat(fault.detail()).contains("2002", "1024");
        assertThat(client.call("echo", "small", String.class).block(TIMEOUT)).isEqualTo("small");
    }

    @Test
    void fragmentedReplyOverTheClientsLimit_isRefusedWhileItArrives() {
        int limit = 17 * 1024 * 1024;
        // A server Parley did not write, replying in 64 KiB fragments with more than the limit.
        io.rsocket.transport.netty.server.CloseableChannel foreign = io.rsocket.core.RSocketServer
                .create(io.rsocket.SocketAcceptor.forRequestResponse(request -> {
                    request.release();
                    return Mono.just(ByteBufPayload.create(new byte[24 * 1024 * 1024]));
                }))
                .fragment(64 * 1024)
                .bind(io.rsocket.transport.netty.server.TcpServerTransport.create("127.0.0.1", 0))
                .block(TIMEOUT);
        track(foreign);
        ParleyClient client = ParleyClient.builder()
                .codec(io.parley.core.codec.BytesCodec.create())
                .maxInboundPayloadSize(limit)
                .transport(RSocketClientTransport.tcp("127.0.0.1", foreign.address().getPort()))
                .build();
        track(client);

        RpcFault fault = faultOf(client.call("anything", new byte[1], byte[].class));

        assertThat(fault.status()).isEqualTo(RpcStatus.OUT_OF_MEMORY);
        assertThat(fault.detail()).contains("as it arrived");
    }

    @Test
    void roundRobinConnectTimeout_appliesToEveryTarget() throws Exception {
        // A listener whose accept queue is full: a further connect is never answered, so only the
        // connect timeout ends it. Without the balanced transport's timeout each target would
        // keep the default 10 s, past the verify bound.
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(silent.getLocalSocketAddress(), 200);
                    }
                    catch (java.io.IOException full) {
                        s.close();
                        break;
                    }
                    fillers.add(s);
                }
                RSocketClientTransport balanced = RSocketClientTransport
                        .roundRobin(RSocketClientTransport.tcp("127.0.0.1", silent.getLocalPort()))
                        .connectTimeout(Duration.ofMillis(300));
                ParleyClient client = ParleyClient.builder().transport(balanced).build();
                track(client);

                StepVerifier.create(client.call("echo", "x", String.class))
                        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(RpcFault.class,
                                f -> assertThat(f.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE)))
                        .verify(Duration.ofSeconds(8));
            }
            finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
