package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
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
 * 100,000 calls over TCP, a quarter each completed, aborted, cancelled abortively and cancelled
 * gracefully, at most 256 in flight: every call ends as it should, the server holds no call
 * afterwards, and (through {@link NettyLeakDetection}) no buffer leaked on either side.
 */
@ExtendWith(NettyLeakDetection.class)
class MixedCallsLeakTest extends CallTestSupport {

    private static final int CALLS = Integer.getInteger("parley.mixedCalls", 100_000);
    private static final int MAX_IN_FLIGHT = 256;
    /** Far beyond a healthy call under this load; a call that takes longer is counted as hung. */
    private static final Duration CALL_BOUND = Duration.ofSeconds(10);

    @Override
    protected TransportFixture fixture() {
        return RSocketFixture.TCP;
    }

    @Override
    protected List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = super.methods();
        // Ends only when the client cancels gracefully; an abortive cancel cancels this Mono.
        methods.add(ServerMethod.mono("untilCancelled", String.class,
                (String request, AsyncCall<String> call) -> call.cancelled().thenReturn("wound down")));
        return methods;
    }

    @Test
    void hundredThousandMixedCalls_eachEndsAsItShould_theServerHoldsNoCall_andNoBufferLeaks() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);

        long start = System.nanoTime();
        Map<String, Long> outcomes = Flux.range(0, CALLS)
                .flatMap(i -> call(client, i), MAX_IN_FLIGHT)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
                // A guard against a hang, not a time limit: the leak detector at PARANOID records every
                // buffer access, and the run takes a minute on a quiet 2-core machine, twice that on a busy one.
                .block(Duration.ofSeconds(300));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(outcomes).containsOnly(
                Map.entry("completed", CALLS / 4L),
                Map.entry("aborted", CALLS / 4L),
                Map.entry("cancelled abortively", CALLS / 4L),
                Map.entry("cancelled gracefully", CALLS / 4L));
        await("the server holds no call", () -> server.activeCalls() == 0);
        System.out.printf("MixedCallsLeakTest: %,d calls in %d ms (%,.0f calls/s), %d replies dropped%n",
                CALLS, took.toMillis(), CALLS / (took.toNanos() / 1e9), server.droppedReplies());
    }

    private static Mono<String> call(ParleyClient client, int i) {
        Mono<String> outcome;
        switch (i % 4) {
            case 0:
                String request = "request " + i;
                outcome = client.call("echo", request, String.class)
                        .map(reply -> reply.equals(request) ? "completed" : "wrong reply " + reply);
                break;
            case 1:
                int code = 0x8000_0000 | i;
                outcome = client.call("abort", code, String.class)
                        .map(reply -> "not aborted: " + reply)
                        .onErrorResume(RpcFault.class, fault -> Mono.just(fault.faultCode() == code ? "aborted" : "wrong fault " + fault));
                break;
            case 2:
                // Disposed 1-3 ms after the call is made: before it is sent, on the wire, or on the server.
                // (A dispose racing the subscription itself is TcpCancelAtStartRaceTest's business.)
                outcome = client.call("untilCancelled", "abortive " + i, String.class)
                        .map(reply -> "replied after abortive cancel: " + reply)
                        .take(Duration.ofMillis(1 + i % 3))
                        .defaultIfEmpty("cancelled abortively");
                break;
            default:
                outcome = Mono.defer(() -> {
                    ClientCall<String> call = client.start("untilCancelled", "graceful " + i, String.class);
                    call.cancel(CancelMode.GRACEFUL);
                    return call.reply().map(reply -> reply.equals("wound down") ? "cancelled gracefully" : "wrong reply " + reply);
                });
                break;
        }
        return outcome
                .onErrorResume(error -> Mono.just("kind " + i % 4 + " failed: " + error))
                .timeout(CALL_BOUND, Mono.just("kind " + i % 4 + " hung"));
    }
}
