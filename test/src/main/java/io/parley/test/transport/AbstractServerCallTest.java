package io.parley.test.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * The server side of the seeds, on any transport: the return values of RpcAsyncCompleteCall,
 * RpcAsyncAbortCall and RpcServerTestCancel, a manager routine that raises an exception, and
 * the server state table (D → Comp | A → End). Each transport runs it by naming its fixture.
 */
public abstract class AbstractServerCallTest extends CallTestSupport {

    // ---- RpcAsyncCompleteCall (server) -------------------------------------------------------

    @Test
    void completeCall_returnsOk_andClientReceivesReply() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.complete("done")).isEqualTo(RpcStatus.OK);
        assertThat(reply.block(TIMEOUT)).isEqualTo("done");
    }

    @Test
    void completeCall_secondCall_returnsInvalidAsyncHandle() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.complete("first")).isEqualTo(RpcStatus.OK);
        assertThat(call.complete("second")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(reply.block(TIMEOUT)).isEqualTo("first");
    }

    @Test
    void completeCall_afterAbort_returnsInvalidAsyncHandle() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.abort(42)).isEqualTo(RpcStatus.OK);
        assertThat(call.complete("late")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(faultOf(reply).faultCode()).isEqualTo(42);
    }

    @Test
    void completeCall_onTheReceivingThread_opportunisticallyAsynchronous_returnsOk() {
        ParleyServer server = startServer();
        String thread = client(server).call("completeOnReceivingThread", "x", String.class).block(TIMEOUT);
        assertThat(thread).isNotBlank();
    }

    @Test
    void completeCall_fromAnotherThread_returnsOk() throws Exception {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        RpcStatus status = CompletableFuture.supplyAsync(() -> call.complete("from elsewhere")).get();
        assertThat(status).isEqualTo(RpcStatus.OK);
        assertThat(reply.block(TIMEOUT)).isEqualTo("from elsewhere");
    }

    @Test
    void completeCall_afterAbortiveCancel_returnsCallCancelled_andDropsTheReply() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Disposable subscription = held.subscription();
        AsyncCall<String> call = held.call();
        subscription.dispose();
        awaitCancel(call);
        int encodesBefore = serverEncodes.get();

        assertThat(call.complete("nobody reads this")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(serverEncodes.get()).as("a dropped reply is not marshalled").isEqualTo(encodesBefore);
        assertThat(server.droppedReplies()).isEqualTo(1);
        assertThat(call.complete("again")).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
    }

    @Test
    void completeCall_afterGracefulCancel_returnsOk_andClientReceivesReply() {
        ParleyServer server = startServer();
        ClientCall<String> clientCall = client(server).start("hold", "x", String.class);
        AsyncCall<String> call = nextHeldCall();
        assertThat(clientCall.cancel(CancelMode.GRACEFUL)).isEqualTo(RpcStatus.OK);
        awaitCancel(call);

        assertThat(call.complete("finished anyway")).isEqualTo(RpcStatus.OK);
        assertThat(clientCall.reply().block(TIMEOUT)).isEqualTo("finished anyway");
    }

    @Test
    void completeCall_withoutReply_clientCompletesEmpty() {
        ParleyServer server = startServer();
        StepVerifier.create(client(server).call("completeVoid", "x", Void.class))
                .expectComplete()
                .verify(TIMEOUT);
    }

    @Test
    void completeCall_replyCannotBeEncoded_returnsBadStubData_andClientReceivesThatFault() {
        ParleyServer server = startServer();
        RpcFault fault = faultOf(client(server).call("unencodableReply", "x", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
        assertThat(server.activeCalls()).isZero();
    }

    // ---- RpcAsyncAbortCall ----------------------------------------------------------------------

    @Test
    void abortCall_returnsOk_andClientReceivesFaultCode() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.abort(RpcStatus.ACCESS_DENIED.value())).isEqualTo(RpcStatus.OK);
        RpcFault fault = faultOf(reply);
        assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(fault.getMessage()).contains("RPC_S_ACCESS_DENIED", "5");
    }

    @Test
    void abortCall_secondCall_returnsInvalidAsyncHandle_andDoesNotChangeTheFault() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.abort(7)).isEqualTo(RpcStatus.OK);
        assertThat(call.abort(8)).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(faultOf(reply).faultCode()).isEqualTo(7);
        assertThat(call.status()).isEqualTo(RpcStatus.of(7));
    }

    @Test
    void abortCall_afterComplete_returnsInvalidAsyncHandle() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.complete("done")).isEqualTo(RpcStatus.OK);
        assertThat(call.abort(9)).isEqualTo(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(reply.block(TIMEOUT)).isEqualTo("done");
    }

    @Test
    void abortCall_faultCodeZero_returnsInvalidArg_andTheCallStaysOpen() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.abort(0)).isEqualTo(RpcStatus.INVALID_ARG);
        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        assertThat(call.complete("still open")).isEqualTo(RpcStatus.OK);
        assertThat(reply.block(TIMEOUT)).isEqualTo("still open");
    }

    @Test
    void abortCall_marshalsNoReply() {
        ParleyServer server = startServer();
        int encodesBefore = serverEncodes.get();
        faultOf(client(server).call("abort", 1723, String.class));
        assertThat(serverEncodes.get()).isEqualTo(encodesBefore);
    }

    @ParameterizedTest(name = "fault code {0}")
    @ValueSource(ints = {1, 5, 1723, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF})
    void abortCall_faultCode_reachesTheClientUnchanged(int faultCode) {
        ParleyServer server = startServer();
        RpcFault fault = faultOf(client(server).call("abort", faultCode, String.class));
        assertThat(fault.faultCode()).isEqualTo(faultCode);
        assertThat(fault.status().unsignedValue()).isEqualTo(Integer.toUnsignedLong(faultCode));
    }

    @ParameterizedTest(name = "fault code {0}")
    @ValueSource(ints = {1, 5, 1723, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF})
    void abortCall_faultCodeFromAMonoHandler_reachesTheClientUnchanged(int faultCode) {
        ParleyServer server = startServer();
        assertThat(faultOf(client(server).call("monoFault", faultCode, String.class)).faultCode()).isEqualTo(faultCode);
    }

    // ---- RpcServerTestCancel ---------------------------------------------------------------------

    @Test
    void serverTestCancel_notCancelled_returnsCallInProgress() {
        ParleyServer server = startServer();
        AsyncCall<String> call = hold(server).call();

        assertThat(call.testCancel()).isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        assertThat(call.testCancel()).as("testing changes no state").isEqualTo(RpcStatus.CALL_IN_PROGRESS);
        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        call.complete("done");
    }

    @Test
    void serverTestCancel_afterAbortiveCancel_returnsOk_andTheServerMustStillEndTheCall() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Disposable subscription = held.subscription();
        AsyncCall<String> call = held.call();

        subscription.dispose();
        awaitCancel(call);
        assertThat(call.testCancel()).as("testing changes no state").isEqualTo(RpcStatus.OK);
        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(call.abort(RpcStatus.CALL_CANCELLED.value())).isEqualTo(RpcStatus.OK);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.INVALID_BINDING);
    }

    @Test
    void serverTestCancel_afterGracefulCancel_returnsOk() {
        ParleyServer server = startServer();
        ClientCall<String> clientCall = client(server).start("hold", "x", String.class);
        AsyncCall<String> call = nextHeldCall();

        clientCall.cancel(CancelMode.GRACEFUL);
        awaitCancel(call);
        assertThat(clientCall.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        call.abort(RpcStatus.CALL_CANCELLED.value());
        assertThat(clientCall.reply().onErrorResume(e -> Mono.empty()).then().block(TIMEOUT)).isNull();
        assertThat(clientCall.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void serverTestCancel_afterComplete_returnsInvalidBinding() {
        ParleyServer server = startServer();
        AsyncCall<String> call = hold(server).call();

        call.complete("done");
        assertThat(call.testCancel()).isEqualTo(RpcStatus.INVALID_BINDING);
    }

    @Test
    void serverTestCancel_afterAbort_returnsInvalidBinding() {
        ParleyServer server = startServer();
        AsyncCall<String> call = hold(server).call();

        call.abort(5);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.INVALID_BINDING);
    }

    @Test
    void cancelled_firesOnceWhenTheClientCancels_evenForALateSubscriber() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Disposable subscription = held.subscription();
        AsyncCall<String> call = held.call();
        Mono<Void> early = call.cancelled();

        subscription.dispose();
        StepVerifier.create(early).expectComplete().verify(TIMEOUT);
        StepVerifier.create(call.cancelled()).expectComplete().verify(TIMEOUT);
        call.complete("dropped");
    }

    @Test
    void cancelled_doesNotFireForACallThatEndsUncancelled() {
        ParleyServer server = startServer();
        AsyncCall<String> call = hold(server).call();

        StepVerifier.create(call.cancelled())
                .expectSubscription()
                .then(() -> call.complete("done"))
                .thenCancel()
                .verify(TIMEOUT);
    }

    @Test
    void monoHandler_abortiveCancel_cancelsTheHandlersSubscription() {
        ParleyServer server = startServer();
        Disposable subscription = client(server).call("monoHold", "x", String.class).subscribe(v -> { }, e -> { });
        AsyncCall<String> call = nextHeldCall();

        subscription.dispose();
        awaitCancel(call);
        await("the handler's Mono is cancelled", () -> handlerMonoCancels.get() == 1);
        await("the abandoned call leaves the server", () -> server.activeCalls() == 0);
    }

    // ---- An exception raised in the manager routine ----------------------------------------------

    @Test
    void handlerThrowsRpcFault_clientReceivesItsCode() {
        ParleyServer server = startServer();
        RpcFault fault = faultOf(client(server).call("throwFault", 0x80000000, String.class));
        assertThat(fault.faultCode()).isEqualTo(0x80000000);
    }

    @Test
    void handlerThrowsUnexpectedException_clientReceivesCallFailed_withoutTheServersMessage() {
        ParleyServer server = startServer();
        RpcFault fault = faultOf(client(server).call("throwUnexpected", "x", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.getMessage()).doesNotContain("secret");
        assertThat(fault.getCause()).isNull();
    }

    @Test
    void monoHandlerErrors_clientReceivesCallFailed_withoutTheServersMessage() {
        ParleyServer server = startServer();
        RpcFault fault = faultOf(client(server).call("monoError", "x", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.getMessage()).doesNotContain("secret");
    }

    @Test
    void monoHandlerCompletesEmpty_clientCompletesEmpty() {
        ParleyServer server = startServer();
        StepVerifier.create(client(server).call("monoEmpty", "x", String.class)).expectComplete().verify(TIMEOUT);
    }

    @Test
    void monoHandlerReturnsNull_clientReceivesCallFailed() {
        ParleyServer server = startServer();
        assertThat(faultOf(client(server).call("monoNull", "x", String.class)).status()).isEqualTo(RpcStatus.CALL_FAILED);
    }

    // ---- What a caller can get wrong ---------------------------------------------------------------

    @Test
    void unknownMethod_returnsProcnumOutOfRange_andTheConnectionKeepsServing() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);
        RpcFault fault = faultOf(client.call("noSuchMethod", "x", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.PROCNUM_OUT_OF_RANGE);
        assertThat(fault.getMessage()).contains("noSuchMethod");
        assertThat(client.call("echo", "still here", String.class).block(TIMEOUT)).isEqualTo("still here");
    }

    @Test
    void undecodableRequest_returnsBadStubData_andTheConnectionKeepsServing() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);
        RpcFault fault = faultOf(client.call("abort", "not a number", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
        assertThat(client.call("echo", "still here", String.class).block(TIMEOUT)).isEqualTo("still here");
    }

    @Test
    void replyOfTheWrongType_clientReceivesBadStubData() {
        ParleyServer server = startServer();
        RpcFault fault = faultOf(client(server).call("echo", "not a number", Long.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.BAD_STUB_DATA);
    }

    @Test
    void callsInFlightPastTheLimit_returnServerTooBusy_andTheConnectionKeepsServing() {
        ParleyServer server = startServer(builder -> builder.maxCallsPerConnection(2));
        ParleyClient client = client(server);
        track(client.call("hold", "1", String.class).subscribe(v -> { }, e -> { }));
        track(client.call("hold", "2", String.class).subscribe(v -> { }, e -> { }));
        AsyncCall<String> first = nextHeldCall();
        nextHeldCall();

        RpcFault fault = faultOf(client.call("echo", "third", String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        first.complete("done");
        await("a slot frees up", () -> server.activeCalls() == 1);
        assertThat(client.call("echo", "fits again", String.class).block(TIMEOUT)).isEqualTo("fits again");
    }

    @Test
    void requestOverTheSizeLimit_returnsServerOutOfMemory_andTheConnectionKeepsServing() {
        ParleyServer server = startServer(builder -> builder.maxInboundPayloadSize(64));
        ParleyClient client = client(server);
        RpcFault fault = faultOf(client.call("echo", "x".repeat(100), String.class));
        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_OUT_OF_MEMORY);
        assertThat(fault.getMessage()).contains("64");
        assertThat(client.call("echo", "small", String.class).block(TIMEOUT)).isEqualTo("small");
    }

    // ---- The server state table: D → (Comp | A) → End ------------------------------------------

    @Test
    void stateD_dispatch_theHandlerRunsWithTheCallPendingAndRegistered() {
        ParleyServer server = startServer();
        AsyncCall<String> call = hold(server).call();

        assertThat(call.status()).isEqualTo(RpcStatus.ASYNC_CALL_PENDING);
        assertThat(call.method()).isEqualTo("hold");
        assertThat(server.activeCalls()).isEqualTo(1);
        call.complete("done");
    }

    @Test
    void stateD_process_goesToComp_thenEnd_andTheHandleIsDestroyed() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.complete("done")).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).isEqualTo(RpcStatus.OK);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.INVALID_BINDING);
        assertThat(server.activeCalls()).isZero();
        assertThat(reply.block(TIMEOUT)).isEqualTo("done");
    }

    @Test
    void stateD_failFatally_raiseException_goesToEnd() {
        ParleyServer server = startServer();
        assertThat(faultOf(client(server).call("throwUnexpected", "x", String.class)).status())
                .isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void stateD_failGracefully_goesToA_thenEnd() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Mono<String> reply = held.reply();
        AsyncCall<String> call = held.call();

        assertThat(call.abort(RpcStatus.SERVER_TOO_BUSY.value())).isEqualTo(RpcStatus.OK);
        assertThat(call.status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(call.testCancel()).isEqualTo(RpcStatus.INVALID_BINDING);
        assertThat(server.activeCalls()).isZero();
        assertThat(faultOf(reply).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
    }

    @Test
    void stateEnd_afterAbortiveCancelAndComplete_statusIsCallCancelled() {
        ParleyServer server = startServer();
        HeldCall held = hold(server);
        Disposable subscription = held.subscription();
        AsyncCall<String> call = held.call();
        subscription.dispose();
        awaitCancel(call);
        assertThat(server.activeCalls()).as("an abandoned call no longer holds the connection").isZero();

        call.complete("dropped");
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
    }

    @Test
    void anAbortedCall_leavesOtherCallsOnTheConnectionUntouched() {
        ParleyServer server = startServer();
        ParleyClient client = client(server);
        Mono<String> a = client.call("hold", "a", String.class).onErrorResume(RpcFault.class,
                f -> Mono.just("fault " + f.faultCode())).cache();
        Mono<String> b = client.call("hold", "b", String.class).onErrorResume(RpcFault.class,
                f -> Mono.just("fault " + f.faultCode())).cache();
        track(a.subscribe());
        track(b.subscribe());

        nextHeldCall().abort(99);
        nextHeldCall().complete("fine");
        assertThat(java.util.List.of(a.block(TIMEOUT), b.block(TIMEOUT))).containsExactlyInAnyOrder("fine", "fault 99");
    }
}
