package io.parley.rsocket;

import static io.parley.rsocket.SpringInterop.TIMEOUT;
import static io.parley.rsocket.SpringInterop.assertForeignReading;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.http.codec.cbor.JacksonCborDecoder;
import org.springframework.http.codec.cbor.JacksonCborEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.util.MimeType;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.CborCodec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.SpringInterop.Greeting;
import io.parley.rsocket.SpringInterop.Reply;
import io.parley.test.NettyLeakDetection;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.RejectedSetupException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * Spring's {@link RSocketRequester} with Jackson 3 CBOR, the data format a Spring Boot
 * application's requester speaks by default, calls a Parley server that was given no codecs over
 * TCP: records cross as CBOR, faults reach it as APPLICATION_ERROR text, streams as their items.
 */
@ExtendWith(NettyLeakDetection.class)
class SpringCborRequesterInteropTest {

    private static final MimeType APPLICATION_CBOR = MimeType.valueOf(CborCodec.MIME_TYPE);

    private final List<Disposable> resources = new ArrayList<>();

    private ParleyServer server;
    private RSocketRequester requester;

    @BeforeEach
    void start() {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("greet", Greeting.class, greeting -> Mono.just(Reply.to(greeting))))
                .method(ServerMethod.async("abort", Long.class, (Long code, AsyncCall<Reply> call) -> call.abort((int) code.longValue())))
                .method(ServerMethod.mono("deny", Greeting.class,
                        greeting -> Mono.<Reply>error(new RpcFault(RpcStatus.ACCESS_DENIED, "not on the guest list"))))
                .method(ServerMethod.mono("echo", String.class, text -> Mono.just("echo: " + text)))
                .method(ServerMethod.flux("count", Integer.class, n -> Flux.range(0, n).map(i -> new Reply("item " + i, i))))
                .method(ServerMethod.flux("denyAfter", Integer.class, n -> Flux.range(0, n)
                        .map(i -> new Reply("item " + i, i))
                        .concatWith(Mono.error(new RpcFault(RpcStatus.ACCESS_DENIED, "no more for you")))))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        resources.add(server);
        requester = cborRequester(RSocketFixture.port(server));
        resources.add(requester);
    }

    @AfterEach
    void dispose() {
        SpringInterop.disposeAll(resources);
    }

    /** Spring's requester of CBOR, its strategies the defaults plus Jackson 3 CBOR, as Boot sets them up. */
    private static RSocketRequester cborRequester(int port) {
        RSocketStrategies strategies = RSocketStrategies.builder()
                .encoder(new JacksonCborEncoder())
                .decoder(new JacksonCborDecoder())
                .build();
        return RSocketRequester.builder()
                .rsocketStrategies(strategies)
                .dataMimeType(APPLICATION_CBOR)
                .tcp("127.0.0.1", port);
    }

    @Test
    void springCborRequester_callsMonoMethod_receivesTheRecord() {
        StepVerifier.create(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class))
                .expectNext(new Reply("Hello, Ada", 3))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springCborRequester_readsReplyAsBytes_seesCborNotJson() {
        byte[] reply = requester.route("greet").data(new Greeting("Ada")).retrieveMono(byte[].class).block(TIMEOUT);

        assertThat(reply).isNotNull();
        assertThat(reply).isEqualTo(CborCodec.create().encode(new Reply("Hello, Ada", 3)).array());
        assertThat(reply[0]).isNotEqualTo((byte) '{');
    }

    @Test
    void springCborRequester_serverAbortsWith5_readsNameAndCodeFromApplicationError() {
        StepVerifier.create(requester.route("abort").data(5L).retrieveMono(Reply.class))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(((ApplicationErrorException) error).errorCode()).isEqualTo(0x201);
                    assertThat(error.getMessage()).isEqualTo("RPC_S_ACCESS_DENIED (5)");
                })
                .verify(TIMEOUT);
    }

    @Test
    void springCborRequester_handlerFaultsWithDetail_readsNameCodeAndDetail() {
        StepVerifier.create(requester.route("deny").data(new Greeting("Eve")).retrieveMono(Reply.class))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(error.getMessage()).isEqualTo("RPC_S_ACCESS_DENIED (5): not on the guest list");
                    assertForeignReading(error.getMessage(), "RPC_S_ACCESS_DENIED", 5L, "not on the guest list");
                })
                .verify(TIMEOUT);
    }

    @Test
    void springCborRequester_retrieveFluxOfAServerStream_receivesEachItemInOrder_thenTheEnd() {
        StepVerifier.create(requester.route("count").data(3).retrieveFlux(Reply.class))
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1), new Reply("item 2", 2))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springCborRequester_streamFaultsAfterItems_readsTheItemsThenTheFault() {
        StepVerifier.create(requester.route("denyAfter").data(2).retrieveFlux(Reply.class))
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(error.getMessage()).isEqualTo("RPC_S_ACCESS_DENIED (5): no more for you");
                })
                .verify(TIMEOUT);
    }

    @Test
    void springCborRequester_requestThatIsNotCborForTheType_endsWithBadStubData_andTheConnectionServesOn() {
        // A CBOR array where the method expects a map: well-formed CBOR, but not a Greeting.
        StepVerifier.create(requester.route("greet").data(List.of(1, 2)).retrieveMono(Reply.class))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApplicationErrorException.class);
                    assertThat(error.getMessage()).startsWith("RPC_X_BAD_STUB_DATA (1783)");
                })
                .verify(TIMEOUT);

        StepVerifier.create(requester.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class))
                .expectNext(new Reply("Hello, Ada", 3))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void springCborRequester_stringRequestGoesAsBareText_endsWithBadStubData_aCborStringIsServed() {
        // Spring's strategies encode a String as its bare UTF-8 text whatever the data MIME type.
        StepVerifier.create(requester.route("echo").data("Ada").retrieveMono(String.class))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(ApplicationErrorException.class)
                        .hasMessageStartingWith("RPC_X_BAD_STUB_DATA (1783)"))
                .verify(TIMEOUT);

        CborCodec cbor = CborCodec.create();
        StepVerifier.create(requester.route("echo").data(cbor.encode("Ada").array()).retrieveMono(byte[].class)
                        .map(reply -> cbor.decode(ByteBuffer.wrap(reply), String.class)))
                .expectNext("echo: Ada")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void parleyClientWithCborCodec_callsTheSameServer_beside_aJsonClient() {
        ParleyClient cbor = ParleyClient.builder()
                .codec(CborCodec.create())
                .transport(RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)))
                .build();
        resources.add(cbor);
        ParleyClient json = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server)))
                .build();
        resources.add(json);

        StepVerifier.create(cbor.call("greet", new Greeting("Ada"), Reply.class))
                .expectNext(new Reply("Hello, Ada", 3))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(cbor.stream("count", 2, Reply.class))
                .expectNext(new Reply("item 0", 0), new Reply("item 1", 1))
                .expectComplete()
                .verify(TIMEOUT);
        StepVerifier.create(json.call("greet", new Greeting("Grace"), Reply.class))
                .expectNext(new Reply("Hello, Grace", 5))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void serverGivenOnlyJson_refusesSpringsCborRequesterAtSetup_namingCbor() {
        ParleyServer jsonOnly = ParleyServer.builder()
                .method(ServerMethod.mono("greet", Greeting.class, greeting -> Mono.just(Reply.to(greeting))))
                .codec(JsonCodec.create())
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        resources.add(jsonOnly);
        RSocketRequester refused = cborRequester(RSocketFixture.port(jsonOnly));
        resources.add(refused);

        StepVerifier.create(refused.route("greet").data(new Greeting("Ada")).retrieveMono(Reply.class))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(RejectedSetupException.class)
                        .hasMessageStartingWith("RPC_S_PROTOCOL_ERROR (1728)")
                        .hasMessageContaining("application/cbor"))
                .verify(TIMEOUT);
    }
}
