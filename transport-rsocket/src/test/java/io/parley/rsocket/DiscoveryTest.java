package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A balancer whose servers come from a list that changes while the client runs, over TCP on
 * loopback: servers that appear are used, servers that leave finish their calls and are then let
 * go (their connection closed), a server back on the same port is taken again, an empty list
 * makes a call wait for a server at most the connect timeout, and a call that could not be sent
 * anywhere ends as unsent.
 */
@ExtendWith(NettyLeakDetection.class)
class DiscoveryTest extends CallTestSupport {

    private static final int CALLS = 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

    private final List<Backend> backends = new ArrayList<>();
    private final Sinks.Many<List<RSocketClientTransport>> lists = Sinks.many().replay().latest();
    private final List<FreezableProxy> proxies = new ArrayList<>();
    private final List<ClientConnection> connections = new ArrayList<>();

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @AfterEach
    void closeProxies() {
        connections.forEach(ClientConnection::dispose);
        proxies.forEach(FreezableProxy::dispose);
    }

    @Test
    void aServerThatAppears_takesCalls() {
        Backend a = startBackend();
        Backend b = startBackend();
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        list(a);
        for (int i = 0; i < CALLS; i++) {
            assertThat(client.call("whoami", "call " + i, Integer.class).block(TIMEOUT)).isEqualTo(a.index);
        }

        list(a, b);
        for (int i = 0; i < CALLS; i++) {
            client.call("whoami", "call " + i, Integer.class).block(TIMEOUT);
        }

        assertThat(b.calls.get()).as("calls reaching the server that appeared").isPositive();
    }

    @Test
    void weighted_aServerThatAppears_takesCalls() {
        Backend a = startBackend();
        Backend b = startBackend();
        ParleyClient client = discoveredClient(RSocketClientTransport.weighted(lists.asFlux()));
        list(a);
        client.call("whoami", "warm", Integer.class).block(TIMEOUT);

        list(a, b);
        for (int i = 0; i < CALLS * 3 && b.calls.get() == 0; i++) {
            client.call("whoami", "call " + i, Integer.class).block(TIMEOUT);
        }

        assertThat(b.calls.get()).as("calls reaching the server that appeared").isPositive();
    }

    @Test
    void aServerThatLeaves_finishesItsCallInFlight_takesNoNewCalls_andIsThenDisconnected() {
        Backend a = startBackend();
        Backend b = startBackend();
        FreezableProxy toB = proxy(b);
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        lists.tryEmitNext(List.of(RSocketClientTransport.tcp("127.0.0.1", toB.port())));
        ClientCall<String> onB = client.start("holdHere", "in flight", String.class);
        AsyncCall<String> held = b.nextHeld();

        list(a);
        for (int i = 0; i < CALLS; i++) {
            assertThat(client.call("whoami", "call " + i, Integer.class).block(TIMEOUT)).as("call %d", i).isEqualTo(a.index);
        }
        assertThat(toB.openClientConnections()).as("the server that left, while its call is in flight").isEqualTo(1);
        assertThat(held.complete("finished")).isEqualTo(RpcStatus.OK);

        assertThat(onB.reply().block(TIMEOUT)).isEqualTo("finished");
        assertThat(onB.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
        await("the connection to the server that left closes once its call ended", () -> toB.openClientConnections() == 0);
        assertThat(b.calls.get()).isZero();
    }

    @Test
    void aServerThatLeavesIdle_isDisconnectedAtOnce() {
        Backend a = startBackend();
        Backend b = startBackend();
        FreezableProxy toB = proxy(b);
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        lists.tryEmitNext(List.of(RSocketClientTransport.tcp("127.0.0.1", toB.port())));
        assertThat(client.call("whoami", "to b", Integer.class).block(TIMEOUT)).isEqualTo(b.index);
        assertThat(toB.openClientConnections()).isEqualTo(1);

        list(a);

        await("the connection to the server that left closes", () -> toB.openClientConnections() == 0);
        assertThat(client.call("whoami", "to a", Integer.class).block(TIMEOUT)).isEqualTo(a.index);
    }

    @Test
    void aServerRestartedOnTheSamePort_isTakenBack() {
        Backend a = startBackend();
        Backend b = startBackend();
        int portOfB = RSocketFixture.port(b.server);
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        list(a, b);
        for (int i = 0; i < 4; i++) {
            client.call("whoami", "warm " + i, Integer.class).block(TIMEOUT);
        }
        assertThat(b.calls.get()).isPositive();

        b.server.dispose();
        // A call sent as b's connection closes ends with RPC_S_COMM_FAILURE; once the client has
        // seen the close, calls go to a.
        await("ten calls in a row reaching a", () -> {
            for (int i = 0; i < 10; i++) {
                if (whoamiOrNull(client) == null) {
                    return false;
                }
            }
            return true;
        });
        for (int i = 0; i < CALLS; i++) {
            assertThat(client.call("whoami", "while b is down " + i, Integer.class).block(TIMEOUT)).as("call %d", i).isEqualTo(a.index);
        }
        Backend back = startBackend(portOfB);
        for (int i = 0; i < CALLS * 3 && back.calls.get() == 0; i++) {
            client.call("whoami", "after " + i, Integer.class).block(TIMEOUT);
        }

        assertThat(back.calls.get()).as("calls reaching the server back on port %d", portOfB).isPositive();
    }

    @Test
    void anEmptyList_aCallEndsUnsentWithServerUnavailable_afterTheConnectTimeout() {
        startBackend();
        ClientConnection connection = connect(RSocketClientTransport.roundRobin(lists.asFlux()).connectTimeout(CONNECT_TIMEOUT));
        lists.tryEmitNext(List.of());

        Outcome outcome = start(connection);

        RpcFault fault = outcome.await();
        assertThat(outcome.notSent).as("ended through onNotSent").isTrue();
        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(fault.getMessage()).contains("empty").doesNotContain("could not connect");
    }

    @Test
    void beforeTheFirstList_aCallWaitsForIt() {
        Backend a = startBackend();
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        Mono<Integer> waiting = client.call("whoami", "early", Integer.class).cache();
        track(waiting.subscribe(reply -> { }, error -> { }));

        list(a);

        assertThat(waiting.block(TIMEOUT)).isEqualTo(a.index);
    }

    @Test
    void anEmptyList_thenAServer_theWaitingCallGoesThere() {
        Backend a = startBackend();
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        list(a);
        client.call("whoami", "warm", Integer.class).block(TIMEOUT);
        lists.tryEmitNext(List.of());
        Mono<Integer> waiting = client.call("whoami", "while empty", Integer.class).cache();
        track(waiting.subscribe(reply -> { }, error -> { }));

        list(a);

        assertThat(waiting.block(TIMEOUT)).isEqualTo(a.index);
    }

    @Test
    void noListedServerUp_aCallEndsUnsentWithServerUnavailable() throws IOException {
        ClientConnection connection = connect(RSocketClientTransport.roundRobin(lists.asFlux()).connectTimeout(CONNECT_TIMEOUT));
        lists.tryEmitNext(List.of(RSocketClientTransport.tcp("127.0.0.1", closedPort()),
                RSocketClientTransport.tcp("127.0.0.1", closedPort())));

        Outcome outcome = start(connection);

        assertThat(outcome.await().status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(outcome.notSent).as("ended through onNotSent").isTrue();
    }

    @Test
    void oneServerNotUp_aCallEndsUnsentWithServerUnavailable() throws IOException {
        ClientConnection connection = connect(RSocketClientTransport.tcp("127.0.0.1", closedPort()));

        Outcome outcome = start(connection);

        assertThat(outcome.await().status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        assertThat(outcome.notSent).as("ended through onNotSent").isTrue();
    }

    @Test
    void aCallCutOffWithItsServer_endsSentWithCommFailure() {
        Backend a = startBackend();
        ClientConnection connection = connect(RSocketClientTransport.roundRobin(lists.asFlux()));
        list(a);
        Outcome outcome = start(connection, "holdHere");
        a.nextHeld();

        a.server.dispose();

        assertThat(outcome.await().status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(outcome.notSent).as("the request had gone out").isFalse();
    }

    @Test
    void disposingTheClient_closesItsConnectionsToTheListedServers() {
        Backend a = startBackend();
        Backend b = startBackend();
        FreezableProxy toA = proxy(a);
        FreezableProxy toB = proxy(b);
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        lists.tryEmitNext(List.of(RSocketClientTransport.tcp("127.0.0.1", toA.port()), RSocketClientTransport.tcp("127.0.0.1", toB.port())));
        for (int i = 0; i < 4; i++) {
            client.call("whoami", "call " + i, Integer.class).block(TIMEOUT);
        }
        assertThat(toA.openClientConnections() + toB.openClientConnections()).isEqualTo(2);

        client.dispose();

        await("both connections closed", () -> toA.openClientConnections() + toB.openClientConnections() == 0);
    }

    @Test
    void listedServersThatCannotBeBalanced_areLeftOut() {
        Backend a = startBackend();
        ParleyClient client = discoveredClient(RSocketClientTransport.roundRobin(lists.asFlux()));
        RSocketClientTransport direct = RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(a.server));
        lists.tryEmitNext(List.of(direct, RSocketClientTransport.roundRobin(direct), direct.resume(Duration.ofSeconds(5))));

        for (int i = 0; i < 4; i++) {
            assertThat(client.call("whoami", "call " + i, Integer.class).block(TIMEOUT)).isEqualTo(a.index);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private Backend startBackend() {
        return startBackend(0);
    }

    private Backend startBackend(int port) {
        Backend backend = new Backend(backends.size());
        backend.server = startServer(builder -> builder
                .transport(RSocketServerTransport.tcp("127.0.0.1", port))
                .method(ServerMethod.mono("whoami", String.class, request -> {
                    backend.calls.incrementAndGet();
                    return Mono.just(backend.index);
                }))
                .method(ServerMethod.async("holdHere", String.class, (String request, AsyncCall<String> call) -> backend.held.add(call))));
        backends.add(backend);
        return backend;
    }

    private static @Nullable Integer whoamiOrNull(ParleyClient client) {
        try {
            return client.call("whoami", "probe", Integer.class).block(TIMEOUT);
        }
        catch (RpcFault fault) {
            return null;
        }
    }

    private void list(Backend... servers) {
        List<RSocketClientTransport> list = new ArrayList<>();
        for (Backend backend : servers) {
            list.add(RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(backend.server)));
        }
        lists.tryEmitNext(list);
    }

    private FreezableProxy proxy(Backend backend) {
        FreezableProxy proxy = new FreezableProxy(RSocketFixture.port(backend.server));
        proxies.add(proxy);
        return proxy;
    }

    private ParleyClient discoveredClient(RSocketClientTransport transport) {
        ParleyClient client = ParleyClient.builder().transport(transport).build();
        track(client);
        return client;
    }

    /** The transport's own connection, to see how its calls end: as sent, or as unsent. */
    private ClientConnection connect(RSocketClientTransport transport) {
        ClientConnection connection = transport.connect(new ClientSetup("application/json", Integer.MAX_VALUE, true));
        connections.add(connection);
        return connection;
    }

    private static Outcome start(ClientConnection connection) {
        return start(connection, "whoami");
    }

    private static Outcome start(ClientConnection connection, String method) {
        Outcome outcome = new Outcome();
        TransportCall call = connection.newCall(new RpcRequest(method, RpcRequest.NO_CALL_ID, null,
                ByteBuffer.wrap("\"x\"".getBytes(StandardCharsets.UTF_8))));
        call.request(Long.MAX_VALUE);
        call.start(outcome);
        return outcome;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return closed.getLocalPort();
        }
    }

    /** How a transport call ended. */
    private static final class Outcome implements TransportCall.Listener {

        final Queue<RpcFault> faults = new ConcurrentLinkedQueue<>();
        volatile boolean notSent;

        @Override
        public void onNext(ByteBuffer reply) {
        }

        @Override
        public void onComplete() {
            // A completion where a fault was expected: marked so that the assertion on the status fails.
            faults.add(new RpcFault(RpcStatus.CALL_FAILED, "completed without a fault"));
        }

        @Override
        public void onFault(RpcFault fault) {
            faults.add(fault);
        }

        @Override
        public void onNotSent(RpcFault fault) {
            notSent = true;
            faults.add(fault);
        }

        RpcFault await() {
            return CallTestSupport.next(faults, "the call's end");
        }
    }

    /** One server and what it saw. */
    private static final class Backend {

        final int index;
        final AtomicInteger calls = new AtomicInteger();
        final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
        ParleyServer server;

        Backend(int index) {
            this.index = index;
        }

        AsyncCall<String> nextHeld() {
            return CallTestSupport.next(held, "a call reaching server " + index);
        }
    }
}
