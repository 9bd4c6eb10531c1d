package io.parley.test.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The client side of the seeds, on any transport: the return values of RpcAsyncGetCallStatus,
 * RpcAsyncCancelCall (abortive and graceful) and RpcAsyncCompleteCall on the client, and the
 * client state table (C → WComp → (Can →) Comp → End).
 */
public abstract class AbstractClientCallTest extends CallTestSupport {

    // ---- RpcAsyncGetCallStatus ----------------------------------------------------------------

    @Test
    void getCallStatus_inFlight_returnsAsyncCallPending() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        serverCall.complete("done");
    }

    @Test
    void getCallStatus_afterReply_returnsOk() {
        ClientCall<String> call = client(startServer()).start("echo", "x", String.class);
        call.reply().block(TIMEOUT);
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void getCallStatus_afterFault_returnsTheFaultCode() {
        ClientCall<String> call = client(startServer()).start("abort", 0xFFFFFFFF, String.class);
        StepVerifier.create(call.reply()).expectError(RpcFault.class).verify(TIMEOUT);
        assertThat(call.status()).isEqualTo(RpcStatus.of(0xFFFFFFFF));
    }

    @Test
    void getCallStatus_afterAbortiveCancel_returnsCallCancelled() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        nextHeldCall();
        call.cancel(CancelMode.ABORTIVE);
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    // ---- RpcAsyncCancelCall(fAbort = TRUE) -----------------------------------------------------

    @Test
    void cancelCall_abortive_returnsOk_clientCompletesAtOnceWithCallCancelled_andServerTestCancelTurnsOk() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);
        assertThat(call.complete()).as("no wait for the server").isEqualTo(RpcStatus.CALL_CANCELLED);
        awaitCancel(serverCall);
        assertThat(serverCall.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void cancelCall_abortive_replyNotificationErrorsWithCallCancelled() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        nextHeldCall();
        call.cancel(CancelMode.ABORTIVE);
        StepVerifier.create(call.reply())
                .expectErrorSatisfies(e -> assertThat(((RpcFault) e).status()).isEqualTo(RpcStatus.CALL_CANCELLED))
                .verify(TIMEOUT);
    }

    @Test
    void cancelCall_disposingTheMonoSubscription_isTheAbortiveCancel() {
        Disposable subscription = client(startServer()).call("hold", "x", String.class).subscribe(v -> { }, e -> { });
        AsyncCall<String> serverCall = nextHeldCall();

        subscription.dispose();
        awaitCancel(serverCall);
    }

    @Test
    void cancelCall_abortiveBeforeTheCallReachesTheServer_theServerEndsUpWithNoCall() {
        ParleyServer server = startServer();
        ClientCall<String> call = client(server).start("hold", "x", String.class);
        call.cancel(CancelMode.ABORTIVE);

        assertThat(call.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
        AsyncCall<String> reached = held.poll();
        if (reached != null) {
            awaitCancel(reached);
        }
        await("no call left on the server", () -> server.activeCalls() == 0);
    }

    // ---- RpcAsyncCancelCall(fAbort = FALSE) ----------------------------------------------------

    @Test
    void cancelCall_graceful_returnsOk_serverTestCancelTurnsOk_andClientReceivesTheServersReply() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        awaitCancel(serverCall);
        assertThat(call.status()).as("the client keeps waiting").isEqualTo(RpcStatus.ASYNC_CALL_PENDING);

        serverCall.complete("partial result");
        assertThat(call.reply().block(TIMEOUT)).isEqualTo("partial result");
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void cancelCall_graceful_clientReceivesTheServersAbort() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        call.cancel(CancelMode.GRACEFUL);
        awaitCancel(serverCall);
        serverCall.abort(RpcStatus.CALL_CANCELLED.value());
        StepVerifier.create(call.reply()).expectError(RpcFault.class).verify(TIMEOUT);
        assertThat(call.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void cancelCall_gracefulRightAfterTheCallIsMade_theNoticeFollowsTheRequest_serverTestCancelTurnsOk() {
        ParleyClient client = client(startServer());
        for (int i = 0; i < 200; i++) {
            ClientCall<String> call = client.start("hold", "x", String.class);
            assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
            AsyncCall<String> serverCall = nextHeldCall();

            Boolean told = serverCall.cancelled().thenReturn(true).timeout(TIMEOUT, Mono.just(false)).block(TIMEOUT.multipliedBy(2));
            assertThat(told).as("round %d: the server is told of the graceful cancel", i).isTrue();
            assertThat(serverCall.testCancel()).isEqualTo(RpcStatus.OK);
            serverCall.complete("wound down");
            assertThat(call.reply().block(TIMEOUT)).isEqualTo("wound down");
        }
    }

    @Test
    void cancelCall_gracefulTwice_returnsOkBothTimes() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        awaitCancel(serverCall);
        serverCall.complete("done");
        assertThat(call.reply().block(TIMEOUT)).isEqualTo("done");
    }

    @Test
    void cancelCall_abortiveAfterGraceful_returnsOk_andEndsTheCallAtOnce() {
        ParleyServer server = startServer();
        ClientCall<String> call = client(server).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        call.cancel(CancelMode.GRACEFUL);
        awaitCancel(serverCall);
        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        await("the server drops the call", () -> server.activeCalls() == 0);
        assertThat(serverCall.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void cancelCall_afterTheOutcomeArrived_returnsNotCancelled_andTheOutcomeStands() {
        ClientCall<String> call = client(startServer()).start("echo", "x", String.class);
        call.reply().block(TIMEOUT);

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.NOT_CANCELLED);
        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.NOT_CANCELLED);
        assertThat(call.complete()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void cancelCall_afterComplete_returnsInvalidAsyncHandle() {
        ClientCall<String> call = client(startServer()).start("echo", "x", String.class);
        call.reply().block(TIMEOUT);
        call.complete();

        assertThat(call.cancel(CancelMode.ABORTIVE)).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    // ---- RpcAsyncCompleteCall (client) -----------------------------------------------------------

    @Test
    void clientCompleteCall_beforeTheReply_returnsAsyncCallPending() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        AtomicReference<String> reply = new AtomicReference<>();
        assertThat(call.complete(reply::set)).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(reply.get()).isNull();
        serverCall.complete("done");
    }

    @Test
    void clientCompleteCall_afterTheReply_returnsOkWithTheReplyOnce_thenInvalidAsyncHandle() {
        ClientCall<String> call = client(startServer()).start("echo", "the reply", String.class);
        call.reply().block(TIMEOUT);

        AtomicReference<String> reply = new AtomicReference<>();
        assertThat(call.complete(reply::set)).isEqualTo(RpcStatus.OK);
        assertThat(reply.get()).isEqualTo("the reply");
        assertThat(call.complete(reply::set)).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void clientCompleteCall_afterAFault_returnsTheFaultCode() {
        ClientCall<String> call = client(startServer()).start("abort", 1723, String.class);
        StepVerifier.create(call.reply()).expectError(RpcFault.class).verify(TIMEOUT);

        AtomicReference<String> reply = new AtomicReference<>();
        assertThat(call.complete(reply::set)).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(reply.get()).isNull();
        assertThat(call.complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void clientCompleteCall_afterAbortiveCancel_returnsCallCancelled() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        nextHeldCall();
        call.cancel(CancelMode.ABORTIVE);

        assertThat(call.complete()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(call.complete()).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void reply_notifiesEverySubscriber_withoutCollectingTheOutcome() {
        ClientCall<String> call = client(startServer()).start("echo", "x", String.class);

        assertThat(call.reply().block(TIMEOUT)).isEqualTo("x");
        assertThat(call.reply().block(TIMEOUT)).isEqualTo("x");
        assertThat(call.complete()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void completion_notifiesTheOutcomesStatus_withoutErroring_andWithoutCollectingIt() {
        ClientCall<String> faulted = client(startServer()).start("abort", 0x80000000, String.class);
        assertThat(faulted.completion().block(TIMEOUT)).isEqualTo(RpcStatus.of(0x80000000));
        assertThat(faulted.complete()).isEqualTo(RpcStatus.of(0x80000000));

        ClientCall<String> cancelled = client(startServer()).start("hold", "x", String.class);
        nextHeldCall();
        cancelled.cancel(CancelMode.ABORTIVE);
        assertThat(cancelled.completion().block(TIMEOUT)).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    // ---- The client state table: C → WComp → (Can →) Comp → End ----------------------------

    @Test
    void stateC_makeTheCall_onSuccess_goesToWComp() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(call.complete()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(serverCall.id()).isEqualTo(call.id());
        serverCall.complete("done");
    }

    @Test
    void stateC_makeTheCall_onException_goesToEnd() {
        ParleyClient client = client(startServer());
        assertThatThrownBy(() -> client.start("echo", new Unencodable(), String.class))
                .isInstanceOfSatisfying(RpcFault.class, f -> assertThat(f.status()).isEqualTo(RpcStatus.BAD_STUB_DATA))
                .hasMessageContaining("echo");
    }

    @Test
    void stateC_toFail_goesToCan_cancelCall_thenWComp() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        assertThat(call.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).as("back in WComp").isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        awaitCancel(serverCall);
        serverCall.complete("done");
        call.reply().block(TIMEOUT);
    }

    @Test
    void stateWComp_callCompleteNotification_goesToComp() {
        ClientCall<String> call = client(startServer()).start("hold", "x", String.class);
        AsyncCall<String> serverCall = nextHeldCall();

        serverCall.complete("done");
        StepVerifier.create(call.reply()).expectNext("done").expectComplete().verify(TIMEOUT);
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
    }

    @Test
    void stateComp_completeCall_goesToEnd() {
        ClientCall<String> call = client(startServer()).start("echo", "x", String.class);
        call.reply().block(TIMEOUT);

        assertThat(call.complete()).isEqualTo(RpcStatus.OK);
        assertThat(call.complete()).as("End").isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(call.cancel(CancelMode.GRACEFUL)).as("End").isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    // ---- The Mono API -------------------------------------------------------------------------

    @Test
    void monoCall_isLazy_nothingIsSentUntilSubscribed() {
        ParleyServer server = startServer();
        client(server).call("hold", "x", String.class);
        assertThat(held).isEmpty();
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void monoCall_manyConcurrentCalls_eachGetsItsOwnReply() {
        ParleyClient client = client(startServer());
        StepVerifier.create(reactor.core.publisher.Flux.range(0, 500)
                        .flatMap(i -> client.call("echo", "m" + i, String.class), 64)
                        .collectList())
                .assertNext(replies -> assertThat(replies).hasSize(500).doesNotHaveDuplicates())
                .expectComplete()
                .verify(TIMEOUT);
    }
}
