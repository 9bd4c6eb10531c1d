package io.parley.examples.asyncfunc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.parley.core.CallMetadata;
import io.parley.core.CallShape;
import io.parley.core.CancelReason;
import io.parley.core.Deadline;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.transport.InProcessTransport;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

class AsyncFuncTest {

    private static final Duration SERVER_WAIT = Duration.ofSeconds(3);

    private final ByteArrayOutputStream serverBytes = new ByteArrayOutputStream();
    private final PrintStream serverOut = new PrintStream(serverBytes, true, StandardCharsets.UTF_8);
    private final AsyncFunc asyncFunc = new AsyncFunc(serverOut, serverOut);
    private final ByteArrayOutputStream clientBytes = new ByteArrayOutputStream();
    private final PrintStream clientOut = new PrintStream(clientBytes, true, StandardCharsets.UTF_8);

    private ParleyServer server;
    private ParleyClient client;
    private AsyncFuncClient caller;

    @BeforeEach
    void serve(TestInfo test) {
        String name = "AsyncFuncTest-" + test.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
        server = ParleyServer.builder()
                .method(asyncFunc.method())
                .transport(InProcessTransport.server(name))
                .bindNow();
        client = ParleyClient.builder()
                .transport(InProcessTransport.client(name))
                .build();
        caller = new AsyncFuncClient(client, clientOut);
    }

    @AfterEach
    void dispose() {
        client.dispose();
        server.dispose();
    }

    @Test
    void asyncFunc_notCancelled_completesWithReplyOne() {
        CompletableFuture<RpcStatus> served = asyncFunc.completions().next().toFuture();

        AsyncFuncClient.Result result = caller.call(200);

        assertThat(result.status()).isEqualTo(RpcStatus.OK);
        assertThat(result.reply()).isEqualTo(1);
        assertThat(result.cancel()).isNull();
        assertThat(served).succeedsWithin(SERVER_WAIT).isEqualTo(RpcStatus.OK);
        assertThat(serverOutput())
                .contains("\rRunning AsyncFunc (200 ms) (5%) ... ")
                .contains("\rRunning AsyncFunc (200 ms) (100%) ... ")
                .contains("Calling RpcAsyncCompleteCall")
                .contains("RpcAsyncCompleteCall returned 0x0 (RPC_S_OK)")
                .doesNotContain("canceled");
        assertThat(clientOutput())
                .contains("status()         -> RPC_S_ASYNC_CALL_PENDING (997)")
                .contains("complete()       -> RPC_S_OK (0), reply 1");
    }

    @Test
    void asyncFunc_cancelledAbortively_serverSeesCancel_completeReturnsCallCancelled() {
        CompletableFuture<RpcStatus> served = asyncFunc.completions().next().toFuture();

        AsyncFuncClient.Result result = caller.callAndCancel(2000, Duration.ofMillis(100), CancelMode.ABORTIVE);

        assertThat(result.cancel()).isEqualTo(RpcStatus.OK);
        assertThat(result.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(result.reply()).isNull();
        assertThat(served).succeedsWithin(SERVER_WAIT).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(serverOutput())
                .contains("AsyncFunc has been canceled!!!")
                .contains("RpcAsyncCompleteCall returned 0x71a (RPC_S_CALL_CANCELLED)")
                .doesNotContain("(100%)");
        assertThat(clientOutput())
                .contains("cancel(abortive) -> RPC_S_OK (0)")
                .contains("status()         -> RPC_S_CALL_CANCELLED (1818)")
                .contains("complete()       -> RPC_S_CALL_CANCELLED (1818)");
        assertThat(server.droppedReplies()).isEqualTo(1);
    }

    @Test
    void asyncFunc_cancelledGracefully_serverCompletes_clientReceivesReplyOne() {
        CompletableFuture<RpcStatus> served = asyncFunc.completions().next().toFuture();

        AsyncFuncClient.Result result = caller.callAndCancel(2000, Duration.ofMillis(100), CancelMode.GRACEFUL);

        assertThat(result.cancel()).isEqualTo(RpcStatus.OK);
        assertThat(result.status()).isEqualTo(RpcStatus.OK);
        assertThat(result.reply()).isEqualTo(1);
        assertThat(served).succeedsWithin(SERVER_WAIT).isEqualTo(RpcStatus.OK);
        assertThat(serverOutput())
                .contains("AsyncFunc has been canceled!!!")
                .contains("RpcAsyncCompleteCall returned 0x0 (RPC_S_OK)")
                .doesNotContain("(100%)");
        assertThat(clientOutput())
                .contains("cancel(graceful) -> RPC_S_OK (0)")
                .contains("status()         -> RPC_S_ASYNC_CALL_PENDING (997)")
                .contains("complete()       -> RPC_S_OK (0), reply 1");
    }

    @Test
    void asyncFunc_testCancelNeitherOkNorInProgress_abortsWithThatStatusInsteadOfExiting() {
        FakeCall call = new FakeCall(RpcStatus.INVALID_BINDING);

        asyncFunc.handle(200L, call);

        assertThat(call.aborts).containsExactly(RpcStatus.INVALID_BINDING.value());
        assertThat(call.replies).isEmpty();
        assertThat(call.testCancels).isEqualTo(1);
        assertThat(serverOutput())
                .contains("RpcServerTestCancel returned 0x6a6 (RPC_S_INVALID_BINDING)")
                .contains("RpcAsyncAbortCall returned 0x0 (RPC_S_OK)")
                .doesNotContain("RpcAsyncCompleteCall");
    }

    @ParameterizedTest
    @ValueSource(longs = { -1, 0, 99, 100 })
    void asyncFunc_delayUpToCancelCheck_sleepsWithoutPollingForCancel(long delay) {
        FakeCall call = new FakeCall(RpcStatus.OK);

        asyncFunc.handle(delay, call);

        assertThat(call.testCancels).isZero();
        assertThat(call.replies).containsExactly(1);
        assertThat(serverOutput())
                .doesNotContain("Running AsyncFunc")
                .contains("RpcAsyncCompleteCall returned 0x0 (RPC_S_OK)");
    }

    private String serverOutput() {
        return serverBytes.toString(StandardCharsets.UTF_8);
    }

    private String clientOutput() {
        return clientBytes.toString(StandardCharsets.UTF_8);
    }

    /** A call whose testCancel() answers as told, recording what the handler does with it. */
    private static final class FakeCall implements AsyncCall<Integer> {

        private final RpcStatus testCancelAnswer;
        final List<@Nullable Integer> replies = new ArrayList<>();
        final List<Integer> aborts = new ArrayList<>();
        int testCancels;

        FakeCall(RpcStatus testCancelAnswer) {
            this.testCancelAnswer = testCancelAnswer;
        }

        @Override
        public RpcStatus complete(@Nullable Integer reply) {
            replies.add(reply);
            return RpcStatus.OK;
        }

        @Override
        public RpcStatus abort(int faultCode) {
            aborts.add(faultCode);
            return RpcStatus.OK;
        }

        @Override
        public RpcStatus testCancel() {
            testCancels++;
            return testCancelAnswer;
        }

        @Override
        public Mono<Void> cancelled() {
            return Mono.never();
        }

        @Override
        public RpcStatus status() {
            return RpcStatus.ASYNC_CALL_PENDING;
        }

        @Override
        public String method() {
            return AsyncFunc.NAME;
        }

        @Override
        public long id() {
            return 1;
        }

        @Override
        public @Nullable Duration timeout() {
            return null;
        }

        @Override
        public CallShape shape() {
            return CallShape.UNARY;
        }

        @Override
        public @Nullable Deadline deadline() {
            return null;
        }

        @Override
        public CallMetadata metadata() {
            return CallMetadata.EMPTY;
        }

        @Override
        public @Nullable SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public @Nullable Principal principal() {
            return null;
        }

        @Override
        public @Nullable CancelReason cancelReason() {
            return testCancelAnswer == RpcStatus.OK ? CancelReason.ABORTIVE : null;
        }

        @Override
        public ContextView context() {
            return Context.of(ServerCallInfo.class, this);
        }
    }
}
