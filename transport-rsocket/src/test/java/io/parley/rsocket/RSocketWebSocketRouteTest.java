package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.ServerTransport;
import io.parley.test.transport.TransportFixture;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

/**
 * Parley on a WebSocket route of an HTTP server that serves a plain route too, as an
 * application's WebFlux server would: calls, faults and both cancels go through; a connection
 * that comes while no Parley server is bound to the route, before the bind or after the
 * dispose, is refused at once with RPC_S_SERVER_UNAVAILABLE, and the HTTP server serves on.
 */
@ExtendWith(NettyLeakDetection.class)
class RSocketWebSocketRouteTest extends CallTestSupport {

    /** Far more than a refusal on loopback takes; a refused call that takes this long hangs. */
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    private final RSocketWebSocketRoute route = RSocketWebSocketRoute.at("/parley");
    private DisposableServer http;

    /** Servers bind to the route; clients connect to the HTTP server's port at its path. */
    @Override
    protected TransportFixture fixture() {
        return new TransportFixture() {
            @Override
            public ServerTransport serverTransport() {
                return route;
            }

            @Override
            public ClientTransport clientTransport(@Nullable ParleyServer server) {
                return RSocketClientTransport.websocket("127.0.0.1", http.port(), "/parley");
            }
        };
    }

    @BeforeEach
    void startHttpServer() {
        http = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> {
                    routes.get("/hello", (request, response) -> response.sendString(Mono.just("hello over http")));
                    route.addTo(routes);
                })
                .bindNow(TIMEOUT);
        // Tracked first, so disposed last: after the Parley servers and clients.
        track(http);
    }

    @Test
    void at_pathWithoutLeadingSlash_isRejected() {
        assertThatThrownBy(() -> RSocketWebSocketRoute.at("parley"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path: 'parley' (expected: a path starting with '/')");
        assertThat(route.path()).isEqualTo("/parley");
    }

    @Test
    void boundServer_completesACall_andItsAddressNamesTheRoute() {
        ParleyServer server = startServer();

        assertThat(server.address()).isEqualTo("websocket route /parley");
        StepVerifier.create(client().call("echo", "over a route", String.class))
                .expectNext("over a route")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void abortCall_faultCode_reachesTheClientUnchanged() {
        startServer();

        StepVerifier.create(client().call("abort", 0xFFFFFFFF, String.class))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(RpcFault.class);
                    assertThat(((RpcFault) error).status().value()).isEqualTo(0xFFFFFFFF);
                })
                .verify(TIMEOUT);
    }

    @Test
    void abortiveCancel_reachesTheHandlersTestCancelAndCancelled() {
        startServer();
        Disposable subscription = track(client().call("hold", "x", String.class).subscribe());
        AsyncCall<String> call = nextHeldCall();
        assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);

        subscription.dispose();

        StepVerifier.create(call.cancelled()).expectComplete().verify(TIMEOUT);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(call.complete("too late")).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void gracefulCancel_reachesTheHandler_andTheClientReceivesTheServersReply() {
        startServer();
        ClientCall<String> clientCall = client().start("hold", "x", String.class);
        AsyncCall<String> call = nextHeldCall();

        assertThat(clientCall.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);

        StepVerifier.create(call.cancelled()).expectComplete().verify(TIMEOUT);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.OK);
        assertThat(clientCall.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(call.complete("finished anyway")).isEqualTo(RpcStatus.OK);
        StepVerifier.create(clientCall.reply())
                .expectNext("finished anyway")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void plainHttpRoute_servesAlongsideParley() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);

        StepVerifier.create(plainGet("/hello"))
                .expectNext("hello over http")
                .expectComplete()
                .verify(TIMEOUT);
        assertThat(held.call().complete("done")).isEqualTo(RpcStatus.OK);
        StepVerifier.create(held.reply()).expectNext("done").expectComplete().verify(TIMEOUT);
    }

    @Test
    void connectBeforeBind_isRefusedWithServerUnavailable_promptly_andTheNextCallAfterTheBindGoesThrough() {
        ParleyClient client = client();

        RpcFault fault = timedFaultOf(client.call("echo", "too early", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(fault.detail()).isEqualTo("Parley is not served on /parley yet");
        StepVerifier.create(plainGet("/hello")).expectNext("hello over http").expectComplete().verify(TIMEOUT);

        startServer();
        StepVerifier.create(client.call("echo", "now bound", String.class))
                .expectNext("now bound")
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void connectAfterDispose_isRefusedWithServerUnavailable_promptly_andTheHttpServerServesOn() {
        ParleyServer server = startServer();
        assertThat(client().call("echo", "x", String.class).block(TIMEOUT)).isEqualTo("x");

        server.dispose();
        StepVerifier.create(server.onDispose()).expectComplete().verify(TIMEOUT);

        RpcFault fault = timedFaultOf(client().call("echo", "too late", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(fault.detail()).isEqualTo("the server on /parley has stopped");
        StepVerifier.create(plainGet("/hello")).expectNext("hello over http").expectComplete().verify(TIMEOUT);
    }

    @Test
    void dispose_closesTheRoutesOpenConnections_andTheirCallsEnd() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);

        server.dispose();

        RpcFault fault = faultOf(held.reply());
        assertThat(fault.status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void secondBind_isAnIllegalStateException() {
        startServer();

        StepVerifier.create(ParleyServer.builder().methods(methods()).transport(route).bind())
                .expectErrorSatisfies(error -> assertThat(error)
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("bind: the route at /parley is already bound (expected: one server per route)"))
                .verify(TIMEOUT);
    }

    @Test
    void bindAfterDispose_isAnIllegalStateException() {
        startServer().dispose();

        StepVerifier.create(ParleyServer.builder().methods(methods()).transport(route).bind())
                .expectError(IllegalStateException.class)
                .verify(TIMEOUT);
    }

    /** A client of the route, whether a server is bound to it or not. */
    private ParleyClient client() {
        return client(null);
    }

    private Mono<String> plainGet(String path) {
        return HttpClient.create().get().uri("http://127.0.0.1:" + http.port() + path)
                .responseSingle((response, body) -> body.asString());
    }

    private static RpcFault timedFaultOf(Mono<?> call) {
        long start = System.nanoTime();
        RpcFault fault = faultOf(call);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at once, not timed out").isLessThan(PROMPTLY);
        return fault;
    }
}
