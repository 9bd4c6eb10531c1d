package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import io.rsocket.exceptions.ConnectionErrorException;
import reactor.core.publisher.Mono;

/**
 * A peer that disappears mid-call ends the client's calls with RPC_S_COMM_FAILURE: within the
 * keepalive bound when it merely goes silent, at once when its connection closes.
 */
@ExtendWith(NettyLeakDetection.class)
class DeadPeerTest extends CallTestSupport {

    private static final Duration KEEPALIVE_INTERVAL = Duration.ofMillis(100);
    private static final Duration KEEPALIVE_MAX_LIFETIME = Duration.ofMillis(600);
    /**
     * The least time from the freeze to the keepalive's verdict: the last answer may have come up
     * to one interval before the freeze, and the check runs each interval.
     */
    private static final Duration KEEPALIVE_QUIET = KEEPALIVE_MAX_LIFETIME.minus(KEEPALIVE_INTERVAL).minusMillis(20);
    private static final Duration BOUND = Duration.ofSeconds(5);

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Test
    void peerGoesSilentMidCall_callEndsWithCommFailure_afterTheKeepaliveMaxLifetime() {
        ParleyServer server = startServer();
        FreezableProxy proxy = proxyTo(server);
        ParleyClient client = client(server, builder -> builder.transport(RSocketClientTransport.tcp("127.0.0.1", proxy.port())
                .keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME)));
        assertThat(client.call("echo", "through the proxy", String.class).block(BOUND)).isEqualTo("through the proxy");

        Mono<String> call = inFlight(client.call("hold", "x", String.class));
        AsyncCall<String> serverCall = nextHeldCall();
        long frozenAt = System.nanoTime();
        proxy.freeze();

        RpcFault fault = faultOf(call, BOUND);
        Duration took = Duration.ofNanos(System.nanoTime() - frozenAt);

        assertThat(fault.status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(fault).as("RSocket's keepalive closed the connection").hasRootCauseInstanceOf(ConnectionErrorException.class);
        assertThat(fault.getMessage()).contains("keep-alive");
        assertThat(took).as("not before the keepalive max lifetime").isGreaterThanOrEqualTo(KEEPALIVE_QUIET);
        assertThat(proxy.discardedBytes()).as("keepalives went into the void").isPositive();

        // The server, which hears no keepalive either, lets the call go too.
        awaitCancel(serverCall);
        await("the server holds no call", () -> server.activeCalls() == 0);
        assertThat(serverCall.complete("too late")).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void peerGoesSilentThenAnswersAgain_theNextCallConnectsAfresh() {
        ParleyServer server = startServer();
        FreezableProxy proxy = proxyTo(server);
        ParleyClient client = client(server, builder -> builder.transport(RSocketClientTransport.tcp("127.0.0.1", proxy.port())
                .keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME)));
        Mono<String> call = inFlight(client.call("hold", "x", String.class));
        nextHeldCall();
        proxy.freeze();
        assertThat(faultOf(call, BOUND).status()).isEqualTo(RpcStatus.COMM_FAILURE);

        proxy.thaw();

        assertThat(client.call("echo", "again", String.class).block(BOUND)).isEqualTo("again");
    }

    @Test
    void idleConnectionWhosePeerGoesSilent_isClosedByKeepalive_andTheNextCallConnectsAfresh() {
        ParleyServer server = startServer();
        FreezableProxy proxy = proxyTo(server);
        ParleyClient client = client(server, builder -> builder.transport(RSocketClientTransport.tcp("127.0.0.1", proxy.port())
                .keepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_MAX_LIFETIME)));
        assertThat(client.call("echo", "1", String.class).block(BOUND)).isEqualTo("1");
        assertThat(proxy.openClientConnections()).isEqualTo(1);

        long frozenAt = System.nanoTime();
        proxy.freeze();
        await("the client closes the silent connection", () -> proxy.openClientConnections() == 0);

        assertThat(Duration.ofNanos(System.nanoTime() - frozenAt)).isGreaterThanOrEqualTo(KEEPALIVE_QUIET);
        proxy.thaw();
        assertThat(client.call("echo", "2", String.class).block(BOUND)).isEqualTo("2");
    }

    @Test
    void serverDisposedMidCall_callEndsWithCommFailure_atOnce() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);
        Mono<String> call = inFlight(client.call("hold", "x", String.class));
        nextHeldCall();

        long start = System.nanoTime();
        server.dispose();
        RpcFault fault = faultOf(call, BOUND);

        assertThat(fault.status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no keepalive wait (default max lifetime 90 s)")
                .isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void connectionResetMidCall_everyCallInFlightEndsWithCommFailure_atOnce() {
        ParleyServer server = startServer();
        FreezableProxy proxy = proxyTo(server);
        ParleyClient client = client(server, builder -> builder.transport(RSocketClientTransport.tcp("127.0.0.1", proxy.port())));
        Mono<String> first = inFlight(client.call("hold", "1", String.class));
        Mono<String> second = inFlight(client.call("monoHold", "2", String.class));
        AsyncCall<String> serverFirst = nextHeldCall();
        AsyncCall<String> serverSecond = nextHeldCall();

        long start = System.nanoTime();
        proxy.resetClientConnections();

        assertThat(faultOf(first, BOUND).status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(faultOf(second, BOUND).status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        awaitCancel(serverFirst);
        awaitCancel(serverSecond);
        await("the server holds no call", () -> server.activeCalls() == 0);
    }

    private FreezableProxy proxyTo(ParleyServer server) {
        FreezableProxy proxy = new FreezableProxy(RSocketFixture.port(server));
        track(proxy);
        return proxy;
    }

    /** Subscribes now; the returned Mono replays the call's outcome. */
    private <T> Mono<T> inFlight(Mono<T> call) {
        Mono<T> cached = call.cache();
        track(cached.subscribe(value -> { }, error -> { }));
        return cached;
    }

    private static RpcFault faultOf(Mono<?> call, Duration bound) {
        try {
            call.block(bound);
        }
        catch (RpcFault fault) {
            return fault;
        }
        throw new AssertionError("expected the call to end with an RpcFault, but it succeeded");
    }
}
