package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import io.parley.test.transport.CallTestSupport;
import io.parley.test.transport.TransportFixture;
import reactor.core.publisher.Mono;

/**
 * Retries through RSocket's balancer over two TCP servers, one of which refuses every call as too
 * busy: an idempotent call refused there is sent again, and the balancer gives it to the other
 * server; a call not declared idempotent is never sent twice.
 */
@ExtendWith(NettyLeakDetection.class)
class RetryOverTcpTest extends CallTestSupport {

    private static final int CALLS = 8;

    private final AtomicInteger busyCalls = new AtomicInteger();
    private final AtomicInteger freeCalls = new AtomicInteger();

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Test
    void idempotentCall_refusedAsTooBusyByOneServer_succeedsOnTheOther() {
        ParleyClient client = balancedClient();

        for (int i = 0; i < CALLS; i++) {
            assertThat(client.call("work", "call " + i, String.class, CallOptions.DEFAULT.withIdempotent(true)).block(TIMEOUT))
                    .as("call %d", i).isEqualTo("free");
        }

        assertThat(busyCalls).as("the balancer also tried the busy server").hasPositiveValue();
        assertThat(freeCalls).as("each call ran once, on the free server").hasValue(CALLS);
    }

    @Test
    void callNotDeclaredIdempotent_refusedAsTooBusy_isNotSentAgain() {
        ParleyClient client = balancedClient();
        List<String> outcomes = new ArrayList<>();

        for (int i = 0; i < CALLS; i++) {
            outcomes.add(client.call("work", "call " + i, String.class)
                    .onErrorResume(RpcFault.class, fault -> Mono.just(fault.status().name()))
                    .block(TIMEOUT));
        }

        assertThat(outcomes).contains("free", RpcStatus.SERVER_TOO_BUSY.name());
        assertThat(busyCalls.get() + freeCalls.get()).as("no call reached a server twice").isEqualTo(CALLS);
        assertThat(outcomes).filteredOn(RpcStatus.SERVER_TOO_BUSY.name()::equals).hasSize(busyCalls.get());
    }

    private ParleyClient balancedClient() {
        ParleyServer busy = startServer(builder -> builder
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .method(ServerMethod.mono("work", String.class, request -> {
                    busyCalls.incrementAndGet();
                    return Mono.error(new RpcFault(RpcStatus.SERVER_TOO_BUSY, "too busy for " + request));
                }).idempotent()));
        ParleyServer free = startServer(builder -> builder
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .method(ServerMethod.mono("work", String.class, request -> {
                    freeCalls.incrementAndGet();
                    return Mono.just("free");
                }).idempotent()));
        return client(busy, builder -> builder.transport(RSocketClientTransport.roundRobin(
                RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(busy)),
                RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(free)))));
    }
}
