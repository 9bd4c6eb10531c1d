package io.parley.test;

import static io.parley.test.ParleyAssertions.assertThat;
import static io.parley.test.ParleyAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.parley.core.CancelReason;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.RetryPolicy;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerMethod;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The extension serves its methods to the test's client and records what the server saw. */
class ParleyExtensionTest {

    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.inProcess()
            .method(ServerMethod.mono("greet", String.class, name -> Mono.just("hello " + name)))
            .method(ServerMethod.async("abort", Integer.class, (Integer code, AsyncCall<String> call) -> call.abort(code)))
            .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
            .method(ServerMethod.flux("count", Integer.class, (Integer n) -> Flux.range(0, n)))
            .server(builder -> builder.maxCallsPerConnection(64))
            .client(builder -> builder.retry(RetryPolicy.NONE));

    @Test
    void aCallIsServedAndRecorded() {
        assertThatCall(parley.client().call("greet", "ada", String.class)).repliesWith("hello ada");

        assertThat(parley.awaitServed("greet")).endedWith(RpcStatus.OK).sawNoCancel();
        assertThat(parley.served()).extracting(ServedCall::method).containsExactly("greet");
    }

    @Test
    void aStreamRepliesWithItsItemsInOrder() {
        assertThatCall(parley.client().stream("count", 3, Integer.class)).repliesWith(0, 1, 2);
    }

    @Test
    void aFaultCodeReachesTheAssertionUnchanged() {
        assertThatCall(parley.client().call("abort", 0xC0DE0001, String.class)).endsWithFaultCode(0xC0DE0001);
        assertThat(parley.awaitServed("abort").status().value()).isEqualTo(0xC0DE0001);
    }

    @Test
    void theServerSawTheClientsAbortiveCancel() {
        Disposable call = parley.client().call("hold", "x", String.class).subscribe(reply -> { }, error -> { });
        AsyncCall<String> onServer = Await.next(held, "the held call");

        call.dispose();
        onServer.cancelled().block(Await.TIMEOUT);
        assertThat(onServer.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);

        assertThat(parley.awaitServed("hold")).sawCancel().sawCancel(CancelReason.ABORTIVE);
    }

    @Test
    void theServerSawTheTimeout() {
        assertThatCall(parley.client().call("hold", "x", String.class, CallOptions.timeout(Duration.ofMillis(500))))
                .endsWith(RpcStatus.TIMEOUT);
        Await.next(held, "the held call").complete("late");

        // The client's abortive cancel and the server's own deadline race to be the first cause.
        assertThat(parley.awaitServed("hold")).sawCancel().endedWith(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void assertionsFailWithWhatHappened() {
        assertThatThrownBy(() -> assertThatCall(parley.client().call("greet", "ada", String.class)).endsWith(RpcStatus.ACCESS_DENIED))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("RPC_S_ACCESS_DENIED").hasMessageContaining("RPC_S_OK");
        assertThatThrownBy(() -> assertThatCall(parley.client().call("abort", 5, String.class)).endsWithFaultCode(6))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("fault code 6");
        assertThatThrownBy(() -> assertThatCall(parley.client().call("greet", "ada", String.class)).repliesWith("hello bob"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("hello ada");
        assertThatThrownBy(() -> assertThatCall(Mono.never()).within(Duration.ofMillis(20)).endsWith(RpcStatus.OK))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("to end within");
        ServedCall greeted = parley.awaitServed("greet");
        assertThatThrownBy(() -> assertThat(greeted).sawCancel())
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("never turned RPC_S_OK");
        assertThatThrownBy(() -> parley.awaitServed("nothing-by-this-name"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("nothing-by-this-name");
    }

    @Test
    void aFaultThatIsNotAnRpcFaultEndsAsCallFailed() {
        assertThatCall(Mono.error(new IllegalStateException("boom"))).endsWith(RpcStatus.CALL_FAILED);
        assertThatCall(Mono.error(new RpcFault(RpcStatus.SERVER_TOO_BUSY, null))).endsWith(RpcStatus.SERVER_TOO_BUSY);
    }
}
