package io.parley.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLLL_Result;

import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;

/**
 * The client's RpcAsyncCancelCall(fAbort = TRUE) racing the server's reply arriving. The client
 * table's WComp goes to Comp once: by the cancel, which returns RPC_S_OK, ends the call with
 * RPC_S_CALL_CANCELLED and sends the CANCEL, the reply arriving after it being dropped; or by the
 * reply, after which the cancel returns RPC_S_NOT_CANCELLED and sends nothing. RpcAsyncCompleteCall
 * collects the outcome once, then answers RPC_S_INVALID_ASYNC_HANDLE.
 */
@JCStressTest
@Description("Client: abortive cancel racing the reply")
@Outcome(id = "RPC_S_OK, RPC_S_CALL_CANCELLED, RPC_S_CALL_CANCELLED, RPC_S_INVALID_ASYNC_HANDLE, 1", expect = ACCEPTABLE,
        desc = "Cancel first: the call ends cancelled, one CANCEL goes out, the reply that crossed it is dropped.")
@Outcome(id = "RPC_S_NOT_CANCELLED, RPC_S_OK, RPC_S_OK with reply, RPC_S_INVALID_ASYNC_HANDLE, 0", expect = ACCEPTABLE,
        desc = "Reply first: the outcome stands, the cancel comes too late and sends nothing.")
@Outcome(expect = FORBIDDEN, desc = "Both or neither decided the call, the outcome was collected twice, or the transport was cancelled other than once for a cancel that won.")
@State
public class ClientAbortiveCancelVsReply {

    private final ClientRig.Handle call = ClientRig.start(CallOptions.DEFAULT, 0);

    @Actor
    public void server() {
        call.rig.transport.reply();
    }

    @Actor
    public void client(LLLLL_Result r) {
        r.r1 = call.call.cancel(CancelMode.ABORTIVE).name();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r2 = call.call.status().name();
        r.r3 = call.complete();
        r.r4 = call.complete();
        r.r5 = call.rig.transport.cancels();
    }
}
