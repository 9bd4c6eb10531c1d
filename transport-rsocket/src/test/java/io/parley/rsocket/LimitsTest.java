package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.Codec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The server's limits and its answers to requests it cannot serve, over TCP: each ends the one
 * call with a clear status, and the connection goes on serving the others.
 */
@ExtendWith(NettyLeakDetection.class)
class LimitsTest extends CallTestSupport {

    private static final int LIMIT = 1024;

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    // ---- maxInboundPayloadSize ------------------------------------------------------------------

    @Test
    void requestOverMaxInboundPayloadSize_endsWithServerOutOfMemory_andTheSameConnectionServesOn() {
        ParleyServer server = startServer(b -> b.maxInboundPayloadSize(LIMIT));
        ParleyClient client = client(server);
        Mono<String> held = inFlight(client.call("hold", "carried across the refusal", String.class));
        AsyncCall<String> serverCall = nextHeldCall();

        RpcFault fault = faultOf(client.call("echo", jsonStringOfSize(LIMIT + 1), String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_OUT_OF_MEMORY);
        assertThat(fault.detail()).contains(String.valueOf(LIMIT + 1), String.valueOf(LIMIT));
        assertThat(client.call("echo", "small", String.class).block(TIMEOUT)).isEqualTo("small");
        // The call held before the refusal is still carried: the connection was not closed.
        assertThat(serverCall.complete("done")).isEqualTo(RpcStatus.OK);
        assertThat(held.block(TIMEOUT)).isEqualTo("done");
    }

    @Test
    void requestOfExactlyMaxInboundPayloadSize_isServed() {
        ParleyServer server = startServer(b -> b.maxInboundPayloadSize(LIMIT));
        String request = jsonStringOfSize(LIMIT);

        assertThat(client(server).call("echo", request, String.class).block(TIMEOUT)).isEqualTo(request);
    }

    @Test
    void requestOverTheDefaultLimitOf4MiB_endsWithServerOutOfMemory_andTheConnectionServesOn() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);

        RpcFault fault = faultOf(client.call("echo", jsonStringOfSize(ParleyServer.DEFAULT_MAX_INBOUND_PAYLOAD_SIZE + 1), String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_OUT_OF_MEMORY);
        assertThat(client.call("echo", "small", String.class).block(TIMEOUT)).isEqualTo("small");
    }

    // ---- maxCallsPerConnection ------------------------------------------------------------------

    @Test
    void callPastMaxCallsPerConnection_endsWithServerTooBusy_andTheConnectionServesOn() {
        ParleyServer server = startServer(b -> b.maxCallsPerConnection(2));
        ParleyClient client = client(server);
        Mono<String> first = inFlight(client.call("hold", "1", String.class));
        Mono<String> second = inFlight(client.call("monoHold", "2", String.class));
        AsyncCall<String> serverFirst = nextHeldCall();
        AsyncCall<String> serverSecond = nextHeldCall();

        RpcFault third = faultOf(client.call("echo", "3", String.class));

        assertThat(third.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(server.activeCalls()).isEqualTo(2);
        assertThat(serverFirst.complete("one")).isEqualTo(RpcStatus.OK);
        assertThat(first.block(TIMEOUT)).isEqualTo("one");
        assertThat(client.call("echo", "4", String.class).block(TIMEOUT)).as("a slot freed").isEqualTo("4");
        assertThat(serverSecond.complete("two")).isEqualTo(RpcStatus.OK);
        assertThat(second.block(TIMEOUT)).isEqualTo("two");
        await("no call left", () -> server.activeCalls() == 0);
    }

    @Test
    void maxCallsPerConnection_isPerConnection_anotherClientIsServedWhileOneIsAtTheLimit() {
        ParleyServer server = startServer(b -> b.maxCallsPerConnection(2));
        ParleyClient busy = client(server);
        inFlight(busy.call("hold", "1", String.class));
        inFlight(busy.call("hold", "2", String.class));
        AsyncCall<String> serverFirst = nextHeldCall();
        AsyncCall<String> serverSecond = nextHeldCall();
        assertThat(faultOf(busy.call("echo", "3", String.class)).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);

        assertThat(client(server).call("echo", "other connection", String.class).block(TIMEOUT)).isEqualTo("other connection");
        serverFirst.complete("one");
        serverSecond.complete("two");
    }

    @Test
    void callsAbandonedByTheClient_freeTheirSlots() {
        ParleyServer server = startServer(b -> b.maxCallsPerConnection(2));
        ParleyClient client = client(server);
        for (int round = 0; round < 5; round++) {
            Disposable first = client.call("hold", "a", String.class).subscribe(v -> { }, e -> { });
            Disposable second = client.call("monoHold", "b", String.class).subscribe(v -> { }, e -> { });
            AsyncCall<String> a = nextHeldCall();
            AsyncCall<String> b = nextHeldCall();
            first.dispose();
            second.dispose();
            awaitCancel(a);
            awaitCancel(b);
            await("the slots are free", () -> server.activeCalls() == 0);
        }
        assertThat(client.call("echo", "served", String.class).block(TIMEOUT)).isEqualTo("served");
    }

    // ---- requests that break the protocol, from a client Parley did not write --------------------

    static Stream<Arguments> badMetadata() {
        return Stream.of(
                Arguments.of("no metadata at all", new byte[0]),
                Arguments.of("an entry cut short in its length", new byte[] {(byte) 0xFE, 0x00}),
                Arguments.of("an entry running past the end", new byte[] {(byte) 0xFE, 0x00, 0x00, 0x10, 0x04, 'e'}),
                Arguments.of("an empty routing entry", new byte[] {(byte) 0xFE, 0x00, 0x00, 0x00}),
                Arguments.of("a routing tag longer than its entry", new byte[] {(byte) 0xFE, 0x00, 0x00, 0x02, 0x09, 'e'}),
                Arguments.of("only a text/plain entry, no route", textPlainEntry("echo")),
                Arguments.of("a Parley call entry of the wrong length", parleyCallEntryOfLength(5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badMetadata")
    void requestWithMalformedOrRouteLessMetadata_endsWithProtocolError_andTheConnectionServesOn(String what, byte[] metadata) {
        ParleyServer server = startServer();
        RSocket raw = rawClient(server, "application/json");

        StepVerifier.create(raw.requestResponse(ByteBufPayload.create(Unpooled.copiedBuffer("\"x\"", StandardCharsets.UTF_8),
                        Unpooled.wrappedBuffer(metadata))))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(ApplicationErrorException.class)
                        .hasMessageStartingWith("RPC_S_PROTOCOL_ERROR (1728)"))
                .verify(TIMEOUT);

        assertThat(echo(raw, "\"served on\"").block(TIMEOUT)).isEqualTo("\"served on\"");
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void rawClientThatAnnouncesADataMimeTypeTheServerHasNoCodecFor_isRejectedAtSetup_withProtocolErrorText() {
        ParleyServer server = startServer();
        RSocket raw = rawClient(server, "application/x-protobuf");

        StepVerifier.create(echo(raw, "\"x\""))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(RejectedSetupException.class)
                        .hasMessageStartingWith("RPC_S_PROTOCOL_ERROR (1728)")
                        .hasMessageContaining("application/x-protobuf"))
                .verify(TIMEOUT);
    }

    @Test
    void parleyClientWhoseCodecTheServerLacks_isRefusedWithProtocolError_andOtherClientsAreServed() {
        ParleyServer server = startServer();
        ParleyClient protobuf = client(server, b -> b.codec(jsonAnnouncedAs("application/x-protobuf")));

        RpcFault fault = faultOf(protobuf.call("echo", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
        assertThat(fault.detail()).contains("application/x-protobuf", "application/json");
        assertThat(faultOf(protobuf.call("echo", "again", String.class)).status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
        assertThat(client(server).call("echo", "json", String.class).block(TIMEOUT)).isEqualTo("json");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** A JSON string literal of exactly {@code size} encoded bytes, quotes included. */
    private static String jsonStringOfSize(int size) {
        return "x".repeat(size - 2);
    }

    private RSocket rawClient(ParleyServer server, String dataMimeType) {
        RSocket raw = RSocketConnector.create()
                .metadataMimeType(ParleyMetadataCodec.COMPOSITE_MIME_TYPE)
                .dataMimeType(dataMimeType)
                .connect(TcpClientTransport.create("127.0.0.1", RSocketFixture.port(server)))
                .block(TIMEOUT);
        assertThat(raw).isNotNull();
        track(raw);
        return raw;
    }

    /** Calls "echo" the way any RSocket client would: composite metadata with a routing entry. */
    private static Mono<String> echo(RSocket raw, String json) {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        CompositeByteBuf metadata = allocator.compositeBuffer();
        CompositeMetadataCodec.encodeAndAddMetadata(metadata, allocator, WellKnownMimeType.MESSAGE_RSOCKET_ROUTING,
                TaggingMetadataCodec.createRoutingMetadata(allocator, List.of("echo")).getContent());
        ByteBuf data = allocator.buffer().writeBytes(json.getBytes(StandardCharsets.UTF_8));
        return raw.requestResponse(ByteBufPayload.create(data, metadata)).map(LimitsTest::dataAndRelease);
    }

    private static String dataAndRelease(Payload payload) {
        try {
            return payload.getDataUtf8();
        }
        finally {
            payload.release();
        }
    }

    private static byte[] textPlainEntry(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(4 + bytes.length);
        buf.put((byte) (0x80 | WellKnownMimeType.TEXT_PLAIN.getIdentifier()));
        putMedium(buf, bytes.length);
        buf.put(bytes);
        return buf.array();
    }

    private static byte[] parleyCallEntryOfLength(int length) {
        byte[] mime = ParleyMetadataCodec.CALL_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(4 + 5 + 1 + mime.length + 3 + length);
        buf.put((byte) (0x80 | WellKnownMimeType.MESSAGE_RSOCKET_ROUTING.getIdentifier()));
        putMedium(buf, 5);
        buf.put((byte) 4).put("echo".getBytes(StandardCharsets.US_ASCII));
        buf.put((byte) (mime.length - 1)).put(mime);
        putMedium(buf, length);
        return buf.array();
    }

    private static void putMedium(ByteBuffer buf, int value) {
        buf.put((byte) (value >>> 16)).put((byte) (value >>> 8)).put((byte) value);
    }

    private <T> Mono<T> inFlight(Mono<T> call) {
        Mono<T> cached = call.cache();
        track(cached.subscribe(value -> { }, error -> { }));
        return cached;
    }

    /** JSON under another MIME type: a codec the server does not have. */
    private static Codec jsonAnnouncedAs(String mimeType) {
        Codec json = JsonCodec.create();
        return new Codec() {
            @Override
            public String mimeType() {
                return mimeType;
            }

            @Override
            public ByteBuffer encode(@Nullable Object value) {
                return json.encode(value);
            }

            @Override
            public @Nullable Object decode(ByteBuffer data, Type type) {
                return json.decode(data, type);
            }
        };
    }
}
