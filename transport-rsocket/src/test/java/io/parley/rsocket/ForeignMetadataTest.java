package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.core.CallMetadata;
import io.parley.core.Credentials;
import io.parley.core.server.AccessRule;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A client Parley did not write — RSocket-Java's own requester, writing composite metadata with
 * its own codecs as Micrometer's RSocket instrumentation does — sends metadata entries (an entry
 * whose MIME string is the field name) and RSocket's standard authentication metadata, per call
 * and in SETUP, and a Parley server reads them.
 */
@ExtendWith(NettyLeakDetection.class)
class ForeignMetadataTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String JSON = "application/json";

    private final List<Disposable> resources = new ArrayList<>();
    private ParleyServer server;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("describe", String.class, field -> ServerCallInfo.current().map(call -> {
                    Principal p = call.principal();
                    return (p == null ? "anonymous" : p.getName()) + " " + call.metadata().getAll(field);
                })))
                .method(ServerMethod.mono("secret", String.class, Mono::just).access(AccessRule.authenticated()))
                .authenticator(credentials -> {
                    if (credentials instanceof Credentials.Basic basic && basic.password().equals("secret")) {
                        return Mono.just(() -> basic.username());
                    }
                    if (credentials instanceof Credentials.Bearer bearer && bearer.token().equals("t0ken")) {
                        return Mono.just(() -> "bearer-user");
                    }
                    return Mono.empty();
                })
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        resources.add(server);
    }

    @AfterEach
    void dispose() {
        SpringInterop.disposeAll(resources);
    }

    private RSocket connect(ByteBuf setupMetadata) {
        RSocketConnector connector = RSocketConnector.create()
                .dataMimeType(JSON)
                .metadataMimeType(WellKnownMimeType.MESSAGE_RSOCKET_COMPOSITE_METADATA.getString());
        if (setupMetadata != null) {
            connector.setupPayload(ByteBufPayload.create(Unpooled.EMPTY_BUFFER, setupMetadata));
        }
        RSocket rsocket = connector.connect(TcpClientTransport.create("127.0.0.1", RSocketFixture.port(server))).block(TIMEOUT);
        resources.add(rsocket);
        return rsocket;
    }

    /** Composite metadata as a foreign client writes it: the route, then each entry in turn. */
    private static CompositeByteBuf metadata(String route) {
        CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
        ByteBuf routing = TaggingMetadataCodec.createRoutingMetadata(ByteBufAllocator.DEFAULT, List.of(route)).getContent();
        CompositeMetadataCodec.encodeAndAddMetadata(composite, ByteBufAllocator.DEFAULT, WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, routing);
        return composite;
    }

    private static void text(CompositeByteBuf composite, String name, String value) {
        CompositeMetadataCodec.encodeAndAddMetadata(composite, ByteBufAllocator.DEFAULT, name,
                ByteBufAllocator.DEFAULT.buffer().writeBytes(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static String call(RSocket rsocket, ByteBuf metadata, String data) {
        return rsocket.requestResponse(ByteBufPayload.create(
                        Unpooled.wrappedBuffer(("\"" + data + "\"").getBytes(StandardCharsets.UTF_8)), metadata))
                .map(payload -> {
                    try {
                        return payload.getDataUtf8();
                    }
                    finally {
                        payload.release();
                    }
                })
                .block(TIMEOUT);
    }

    @Test
    void foreignEntries_namedByTheirMimeString_reachTheHandler_asMicrometersInstrumentationSendsThem() {
        RSocket rsocket = connect(null);
        CompositeByteBuf metadata = metadata("describe");
        text(metadata, "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        text(metadata, "tenant", "acme");

        assertThat(call(rsocket, metadata, "traceparent"))
                .isEqualTo("\"anonymous [00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01]\"");
        CompositeByteBuf again = metadata("describe");
        text(again, "tenant", "acme");
        assertThat(call(rsocket, again, "tenant")).isEqualTo("\"anonymous [acme]\"");
    }

    @Test
    void foreignEntry_inUpperCase_isReadAsItsLowerCaseName_andMimeTypesAreNotEntries() {
        RSocket rsocket = connect(null);
        CompositeByteBuf metadata = metadata("describe");
        text(metadata, "X-Tenant", "acme");
        text(metadata, "application/x.other", "not an entry");

        assertThat(call(rsocket, metadata, "x-tenant")).isEqualTo("\"anonymous [acme]\"");
    }

    @Test
    void foreignSimpleCredentials_perCall_withRSocketsAuthCodec_authenticate() {
        RSocket rsocket = connect(null);
        CompositeByteBuf metadata = metadata("describe");
        CompositeMetadataCodec.encodeAndAddMetadata(metadata, ByteBufAllocator.DEFAULT,
                WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION,
                AuthMetadataCodec.encodeSimpleMetadata(ByteBufAllocator.DEFAULT, "alice".toCharArray(), "secret".toCharArray()));

        assertThat(call(rsocket, metadata, "none")).isEqualTo("\"alice []\"");
    }

    @Test
    void foreignBearerCredentials_underTheExplicitMimeString_authenticate() {
        RSocket rsocket = connect(null);
        CompositeByteBuf metadata = metadata("describe");
        // As Spring's MetadataEncoder writes it: the MIME string, not the well-known id.
        CompositeMetadataCodec.encodeAndAddMetadata(metadata, ByteBufAllocator.DEFAULT,
                WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION.getString(),
                AuthMetadataCodec.encodeBearerMetadata(ByteBufAllocator.DEFAULT, "t0ken".toCharArray()));

        assertThat(call(rsocket, metadata, "none")).isEqualTo("\"bearer-user []\"");
    }

    @Test
    void foreignSetupCredentials_serveTheConnectionsCalls_andAWrongPasswordIsAccessDenied_withTheConnectionServing() {
        CompositeByteBuf setup = ByteBufAllocator.DEFAULT.compositeBuffer();
        CompositeMetadataCodec.encodeAndAddMetadata(setup, ByteBufAllocator.DEFAULT, WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION,
                AuthMetadataCodec.encodeSimpleMetadata(ByteBufAllocator.DEFAULT, "carol".toCharArray(), "secret".toCharArray()));
        RSocket rsocket = connect(setup);

        assertThat(call(rsocket, metadata("secret"), "ok")).isEqualTo("\"ok\"");

        CompositeByteBuf wrong = metadata("secret");
        CompositeMetadataCodec.encodeAndAddMetadata(wrong, ByteBufAllocator.DEFAULT, WellKnownMimeType.MESSAGE_RSOCKET_AUTHENTICATION,
                AuthMetadataCodec.encodeSimpleMetadata(ByteBufAllocator.DEFAULT, "carol".toCharArray(), "guess".toCharArray()));
        StepVerifier.create(rsocket.requestResponse(ByteBufPayload.create(Unpooled.wrappedBuffer("\"x\"".getBytes(StandardCharsets.UTF_8)), wrong)))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ApplicationErrorException.class)
                        .hasMessage("RPC_S_ACCESS_DENIED (5): the credentials were refused"))
                .verify(TIMEOUT);
        assertThat(call(rsocket, metadata("describe"), "none")).isEqualTo("\"carol []\"");
    }
}
