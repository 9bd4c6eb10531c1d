package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RSocket leases sized from the server's free capacity, over TCP on loopback: a client that
 * balances by weight over a fast server and a slow one whose calls fill its admission limit
 * sends its calls to the fast one before the slow one has to refuse any.
 */
@ExtendWith(NettyLeakDetection.class)
class LeaseTest extends CallTestSupport {

    private static final Duration TTL = Duration.ofMillis(200);
    private static final int SLOW_LIMIT = 2;
    private static final int SLOW_QUEUE = 2;
    private static final int CALLS = 120;
    private static final int CONCURRENCY = 8;

    private final AtomicInteger slowCalls = new AtomicInteger();
    private final AtomicInteger fastCalls = new AtomicInteger();
    private final AtomicInteger slowInHandler = new AtomicInteger();
    private final AtomicInteger slowMostInHandler = new AtomicInteger();

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Test
    void weightedWithLeases_callsGoToTheFastServer_beforeTheSlowOneRefusesAny() {
        ParleyServer slow = slowServer(RSocketServerTransport.tcp("127.0.0.1", 0).leases(TTL));
        ParleyServer fast = fastServer(RSocketServerTransport.tcp("127.0.0.1", 0).leases(TTL));
        // The slow server first: RSocket's weighted strategy takes the first of two equals.
        ParleyClient client = balancedClient(RSocketClientTransport.weighted(target(slow), target(fast)).leases());

        Map<RpcStatus, Long> ends = callMany(client);

        assertThat(ends).as("how the calls ended").containsOnlyKeys(RpcStatus.OK);
        assertThat(slowMostInHandler.get()).as("calls at once on the slow server").isLessThanOrEqualTo(SLOW_LIMIT);
        assertThat(fastCalls.get()).as("calls on the fast server, of %d", CALLS).isGreaterThan(slowCalls.get());
    }

    @Test
    void oneServerWithLeases_callsBeyondItsLimitWaitForTheNextLease_andNoneIsRefused() {
        ParleyServer slow = slowServer(RSocketServerTransport.tcp("127.0.0.1", 0).leases(TTL));
        ParleyClient client = balancedClient(target(slow).leases());

        Map<RpcStatus, Long> ends = Flux.range(0, 12)
                .flatMap(i -> client.call("work", "call " + i, String.class).map(reply -> RpcStatus.OK)
                        .onErrorResume(RpcFault.class, fault -> Mono.just(fault.status())), CONCURRENCY)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                .block(Duration.ofSeconds(30));

        assertThat(ends).containsOnlyKeys(RpcStatus.OK);
        assertThat(slowMostInHandler.get()).isLessThanOrEqualTo(SLOW_LIMIT);
    }

    @Test
    void aServerWithoutLimit_servesALeasedClient() {
        ParleyServer fast = fastServer(RSocketServerTransport.tcp("127.0.0.1", 0).leases(TTL));
        ParleyClient client = balancedClient(target(fast).leases());

        List<String> replies = Flux.range(0, 50).flatMap(i -> client.call("work", "call " + i, String.class), 16)
                .collectList().block(TIMEOUT);

        assertThat(replies).hasSize(50).containsOnly("fast");
    }

    @Test
    void aClientThatDoesNotHonourLeases_isRefusedAtSetup() {
        ParleyServer fast = fastServer(RSocketServerTransport.tcp("127.0.0.1", 0).leases(TTL));
        ParleyClient client = balancedClient(target(fast));

        RpcFault fault = faultOf(client.call("work", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
        assertThat(fault.getMessage()).contains("leases");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /**
     * Every call takes a while, at most {@link #SLOW_LIMIT} are in flight and {@link #SLOW_QUEUE}
     * wait: the others are refused at once. The short queue takes a call that a lease let through
     * as a place was being taken (see {@link LeaseDealer}).
     */
    private ParleyServer slowServer(RSocketServerTransport transport) {
        return startServer(builder -> builder.transport(transport)
                .maxCallsInFlight(SLOW_LIMIT, SLOW_QUEUE, Duration.ofSeconds(5))
                .method(ServerMethod.mono("work", String.class, request -> Mono.defer(() -> {
                    slowCalls.incrementAndGet();
                    slowMostInHandler.accumulateAndGet(slowInHandler.incrementAndGet(), Math::max);
                    return Mono.delay(Duration.ofMillis(100)).thenReturn("slow").doFinally(signal -> slowInHandler.decrementAndGet());
                }))));
    }

    private ParleyServer fastServer(RSocketServerTransport transport) {
        return startServer(builder -> builder.transport(transport)
                .method(ServerMethod.mono("work", String.class, request -> {
                    fastCalls.incrementAndGet();
                    return Mono.just("fast");
                })));
    }

    private static RSocketClientTransport target(ParleyServer server) {
        return RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server));
    }

    private ParleyClient balancedClient(RSocketClientTransport transport) {
        ParleyClient client = ParleyClient.builder().transport(transport).build();
        track(client);
        return client;
    }

    private static Map<RpcStatus, Long> callMany(ParleyClient client) {
        return Flux.range(0, CALLS)
                .flatMap(i -> client.call("work", "call " + i, String.class).map(reply -> RpcStatus.OK)
                        .onErrorResume(RpcFault.class, fault -> Mono.just(fault.status())), CONCURRENCY)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                .block(Duration.ofSeconds(60));
    }
}
