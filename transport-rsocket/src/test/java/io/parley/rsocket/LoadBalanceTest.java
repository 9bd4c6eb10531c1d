package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Calls balanced over several TCP servers with RSocket's load balancer: they reach every server,
 * a graceful cancel reaches the server that holds the call, and a server going down leaves the
 * others serving.
 */
@ExtendWith(NettyLeakDetection.class)
class LoadBalanceTest extends CallTestSupport {

    private static final int SERVERS = 3;
    private static final int CALLS = 60;

    private final List<Backend> backends = new ArrayList<>();

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Test
    void roundRobin_spreadsCallsEvenlyOverAllServers() {
        startBackends(SERVERS);
        ParleyClient client = balancedClient(RSocketClientTransport.roundRobin(targets()));

        for (int i = 0; i < CALLS; i++) {
            assertThat(client.call("whoami", "call " + i, Integer.class).block(TIMEOUT)).isNotNull();
        }

        assertThat(totalCalls()).isEqualTo(CALLS);
        for (Backend backend : backends) {
            assertThat(backend.calls.get()).as("server %d", backend.index).isBetween(CALLS / SERVERS - 1, CALLS / SERVERS + 1);
        }
    }

    @Test
    void roundRobin_concurrentCalls_reachEveryServer() {
        startBackends(SERVERS);
        ParleyClient client = balancedClient(RSocketClientTransport.roundRobin(targets()));

        List<Integer> replies = Flux.range(0, CALLS)
                .flatMap(i -> client.call("whoami", "call " + i, Integer.class), 16)
                .collectList()
                .block(TIMEOUT);

        assertThat(replies).hasSize(CALLS).containsOnly(0, 1, 2).contains(0, 1, 2);
    }

    @Test
    void weighted_reachesEveryServer() {
        startBackends(SERVERS);
        ParleyClient client = balancedClient(RSocketClientTransport.weighted(targets()));

        List<Integer> replies = Flux.range(0, CALLS)
                .flatMap(i -> client.call("whoami", "call " + i, Integer.class), 8)
                .collectList()
                .block(TIMEOUT);

        assertThat(replies).hasSize(CALLS);
        for (Backend backend : backends) {
            assertThat(backend.calls.get()).as("server %d", backend.index).isPositive();
        }
    }

    @Test
    void weighted_overTwoServers_reachesBoth() {
        startBackends(2);
        ParleyClient client = balancedClient(RSocketClientTransport.weighted(targets()));

        for (int i = 0; i < CALLS; i++) {
            client.call("whoami", "call " + i, Integer.class).block(TIMEOUT);
        }

        assertThat(backends.get(0).calls.get()).isPositive();
        assertThat(backends.get(1).calls.get()).isPositive();
    }

    @Test
    void gracefulCancel_throughTheBalancer_reachesTheServerThatHoldsTheCall() {
        startBackends(SERVERS);
        ParleyClient client = balancedClient(RSocketClientTransport.roundRobin(targets()));
        List<ClientCall<String>> calls = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            calls.add(client.start("holdHere", "call " + i, String.class));
        }
        List<AsyncCall<String>> serverCalls = new ArrayList<>();
        for (Backend backend : backends) {
            serverCalls.add(backend.nextHeld());
        }

        for (ClientCall<String> call : calls) {
            assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        }

        for (AsyncCall<String> serverCall : serverCalls) {
            awaitCancel(serverCall);
            assertThat(serverCall.complete("wound down")).isEqualTo(RpcStatus.OK);
        }
        for (ClientCall<String> call : calls) {
            assertThat(call.completion().block(TIMEOUT)).isEqualTo(RpcStatus.OK);
            assertThat(call.reply().block(TIMEOUT)).isEqualTo("wound down");
        }
    }

    @Test
    void oneServerNeverUp_callsSucceedOnTheOthers() throws IOException {
        startBackends(2);
        int closedPort;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = closed.getLocalPort();
        }
        ParleyClient client = balancedClient(RSocketClientTransport.roundRobin(RSocketClientTransport.tcp("127.0.0.1", port(0)),
                RSocketClientTransport.tcp("127.0.0.1", closedPort), RSocketClientTransport.tcp("127.0.0.1", port(1))));

        for (int i = 0; i < CALLS; i++) {
            assertThat(client.call("whoami", "call " + i, Integer.class).block(TIMEOUT)).as("call %d", i).isIn(0, 1);
        }
    }

    @Test
    void allServersDown_callEndsWithServerUnavailable_andTheClientReconnectsWhenTheyAreBack() {
        startBackends(2);
        int[] ports = {port(0), port(1)};
        ParleyClient client = balancedClient(RSocketClientTransport.roundRobin(targets()));
        client.call("whoami", "warm", Integer.class).block(TIMEOUT);
        backends.forEach(backend -> backend.server.dispose());
        backends.clear();

        // Call after call while the balancer's pool loses every server: each ends, none waits
        // for a pool left empty.
        for (int i = 0; i < 5; i++) {
            assertThat(faultOf(client.call("whoami", "down " + i, Integer.class)).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
        }

        startBackend(0, ports[0]);
        startBackend(1, ports[1]);
        assertThat(client.call("whoami", "back", Integer.class).block(TIMEOUT)).isIn(0, 1);
    }

    @Test
    void aCallAlreadySent_isNotMovedToAnotherServer_whenItsServerGoes() {
        startBackends(2);
        ParleyClient client = balancedClient(RSocketClientTransport.roundRobin(targets()));
        client.call("whoami", "warm", Integer.class).block(TIMEOUT);
        client.call("whoami", "warm", Integer.class).block(TIMEOUT);
        ClientCall<String> call = client.start("holdHere", "once", String.class);
        await("a server holds the call", () -> backends.stream().anyMatch(b -> !b.held.isEmpty()));
        Backend holder = backends.stream().filter(b -> !b.held.isEmpty()).findFirst().orElseThrow();
        Backend other = backends.get(1 - holder.index);

        holder.server.dispose();

        assertThat(call.completion().block(TIMEOUT)).as("the call was sent: it ends, it is not sent again")
                .isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(other.held).as("the other server never saw the call").isEmpty();
        assertThat(client.call("whoami", "next", Integer.class).block(TIMEOUT)).isEqualTo(other.index);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private void startBackends(int count) {
        for (int i = 0; i < count; i++) {
            startBackend(i, 0);
        }
    }

    private void startBackend(int index, int port) {
        Backend backend = new Backend(index);
        backend.server = startServer(builder -> builder
                .transport(RSocketServerTransport.tcp("127.0.0.1", port))
                .method(ServerMethod.mono("whoami", String.class, request -> {
                    backend.calls.incrementAndGet();
                    return Mono.just(index);
                }))
                .method(ServerMethod.async("holdHere", String.class, (String request, AsyncCall<String> call) -> backend.held.add(call))));
        backends.add(backend);
    }

    private int port(int index) {
        return RSocketFixture.port(backends.get(index).server);
    }

    private RSocketClientTransport[] targets() {
        return backends.stream()
                .map(backend -> RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(backend.server)))
                .toArray(RSocketClientTransport[]::new);
    }

    private ParleyClient balancedClient(RSocketClientTransport transport) {
        return client(backends.get(0).server, builder -> builder.transport(transport));
    }

    private int totalCalls() {
        return backends.stream().mapToInt(backend -> backend.calls.get()).sum();
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
