package io.parley.examples.foreign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketServerTransport;
import io.rsocket.exceptions.ApplicationErrorException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The README's "Calling Parley from clients it did not write" for Spring: an
 * {@link RSocketRequester} calls a Parley server over TCP and reads its fault, written as the
 * README shows it; and calls its streams and one-way methods.
 */
class SpringRequesterTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Sinks.Many<Person> notes = Sinks.many().replay().all();
    private ParleyServer server;
    private RSocketRequester requester;

    @BeforeEach
    void serve() {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("greet", Person.class, person -> "Mallory".equals(person.name())
                        ? Mono.error(new RpcFault(RpcStatus.ACCESS_DENIED, "not on the guest list"))
                        : Mono.just(new Greeting("Hello, " + person.name()))))
                .method(ServerMethod.mono("shout", String.class, text -> Mono.just(text.toUpperCase(java.util.Locale.ROOT))))
                .method(ServerMethod.flux("count", Integer.class, n -> Flux.range(1, n)))
                .method(ServerMethod.clientStream("sum", Integer.class, numbers -> numbers.reduce(0, Integer::sum)))
                .method(ServerMethod.channel("double", Integer.class, numbers -> numbers.map(n -> 2 * n)))
                .method(ServerMethod.oneWay("note", Person.class, person -> {
                    notes.tryEmitNext(person);
                    return Mono.empty();
                }))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        String address = server.address();
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));

        // As in the README.
        requester = RSocketRequester.builder()
                .dataMimeType(MediaType.APPLICATION_JSON)
                .rsocketStrategies(strategies -> strategies
                        .encoder(new JacksonJsonEncoder())
                        .decoder(new JacksonJsonDecoder()))
                .tcp("127.0.0.1", port);
    }

    @AfterEach
    void dispose() {
        requester.dispose();
        server.dispose();
    }

    /** The request of {@code greet}, JSON {@code {"name":"Ada"}} on the wire. */
    record Person(String name) {
    }

    /** The reply of {@code greet}. */
    record Greeting(String text) {
    }

    @Test
    void route_data_retrieveMono_getsTheReply() {
        Greeting greeting = requester.route("greet").data(new Person("Ada")).retrieveMono(Greeting.class).block(WAIT);

        assertThat(greeting).isEqualTo(new Greeting("Hello, Ada"));
    }

    @Test
    void aString_crossesAsPlainText_notAsJson() {
        // Spring's strategies encode a String as its bare text, before any JSON encoder is asked,
        // and decode a String reply as the bare JSON text; Parley's JSON codec reads and writes
        // JSON string literals. A String request must be quoted by hand, and the reply comes quoted.
        Mono<String> bare = requester.route("shout").data("hi").retrieveMono(String.class);
        assertThatThrownBy(() -> bare.block(WAIT))
                .isInstanceOf(ApplicationErrorException.class)
                .hasMessageStartingWith("RPC_X_BAD_STUB_DATA (1783)");

        String quoted = requester.route("shout").data("\"hi\"").retrieveMono(String.class).block(WAIT);
        assertThat(quoted).isEqualTo("\"HI\"");
    }

    @Test
    void aFault_arrivesAsApplicationErrorException_whoseMessageNamesTheCode() {
        Mono<String> denied = requester.route("greet").data(new Person("Mallory")).retrieveMono(String.class);

        assertThatThrownBy(() -> denied.block(WAIT))
                .isInstanceOf(ApplicationErrorException.class)
                .hasMessage("RPC_S_ACCESS_DENIED (5): not on the guest list")
                .satisfies(error -> {
                    // The README's way to take it apart.
                    Matcher m = Pattern.compile("^(\\S+) \\((\\d+)\\)(?:: (.*))?$", Pattern.DOTALL).matcher(error.getMessage());
                    assertThat(m.matches()).isTrue();
                    assertThat(m.group(1)).isEqualTo("RPC_S_ACCESS_DENIED");
                    assertThat(Long.parseLong(m.group(2))).isEqualTo(5);
                    assertThat(m.group(3)).isEqualTo("not on the guest list");
                });
    }

    @Test
    void anUnknownRoute_givesProcnumOutOfRange() {
        Mono<String> unknown = requester.route("greeet").data(new Person("Ada")).retrieveMono(String.class);

        assertThatThrownBy(() -> unknown.block(WAIT))
                .isInstanceOf(ApplicationErrorException.class)
                .hasMessageStartingWith("RPC_S_PROCNUM_OUT_OF_RANGE (1745)");
    }

    @Test
    void retrieveFlux_ofAServerStream_getsEveryItem() {
        StepVerifier.create(requester.route("count").data(3).retrieveFlux(Integer.class))
                .expectNext(1, 2, 3)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aFluxOfRequests_toAClientStream_getsTheOneReply_andAnEmptyFluxIsNoRequest() {
        // Spring calls any Flux of requests as a channel, retrieved as a Flux: here of one reply.
        StepVerifier.create(requester.route("sum").data(Flux.just(1, 2, 3), Integer.class).retrieveFlux(Integer.class))
                .expectNext(6)
                .expectComplete()
                .verify(WAIT);
        StepVerifier.create(requester.route("sum").data(Flux.empty(), Integer.class).retrieveFlux(Integer.class))
                .expectNext(0)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void aFluxOfRequests_toAChannel_getsAnItemForEach() {
        StepVerifier.create(requester.route("double").data(Flux.just(1, 2, 3), Integer.class).retrieveFlux(Integer.class))
                .expectNext(2, 4, 6)
                .expectComplete()
                .verify(WAIT);
    }

    @Test
    void send_toAOneWayMethod_reachesTheServer() {
        requester.route("note").data(new Person("Ada")).send().block(WAIT);

        assertThat(notes.asFlux().next().block(WAIT)).isEqualTo(new Person("Ada"));
    }

    @Test
    void aUnaryMethod_calledAsAStream_givesInvalidAsyncCall() {
        StepVerifier.create(requester.route("greet").data(new Person("Ada")).retrieveFlux(Greeting.class))
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(ApplicationErrorException.class)
                        .hasMessage("RPC_S_INVALID_ASYNC_CALL (1915): method 'greet' is a unary call (a request-response); "
                                + "it was called as a request-stream"))
                .verify(WAIT);
    }
}
