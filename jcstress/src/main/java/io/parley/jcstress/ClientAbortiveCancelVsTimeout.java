package io.parley.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.time.Duration;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLL_Result;

import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;

/**
 * The client's RpcAsyncCancelCall(fAbort = TRUE) racing the call's abortive timeout, both of which
 * end the call and send the CANCEL: exactly one does. The cancel's win is RPC_S_CALL_CANCELLED;
 * the timer's is RPC_S_TIMEOUT, after which the cancel returns RPC_S_NOT_CANCELLED. One CANCEL
 * reaches the transport either way.
 */
@JCStressTest
@Description("Client: abortive cancel racing the abortive timeout")
@Outcome(id = "RPC_S_OK, RPC_S_CALL_CANCELLED, RPC_S_CALL_CANCELLED, 1", expect = ACCEPTABLE,
        desc = "Cancel first: the call ends cancelled; the timer finds it ended.")
@Outcome(id = "RPC_S_NOT_CANCELLED, RPC_S_TIMEOUT, RPC_S_TIMEOUT, 1", expect = ACCEPTABLE,
        desc = "Timeout first: the call ends with RPC_S_TIMEOUT; the cancel comes too late.")
@Outcome(expect = FORBIDDEN, desc = "Both or neither ended the call, or the transport was cancelled other than once.")
@State
public class ClientAbortiveCancelVsTimeout {

    private final ClientRig.Handle call = ClientRig.start(CallOptions.timeout(Duration.ofHours(1)), 1);

    @Actor
    public void timer() {
        call.rig.timers.get(0).run();
    }

    @Actor
    public void client(LLLL_Result r) {
        r.r1 = call.call.cancel(CancelMode.ABORTIVE).name();
    }

    @Arbiter
    public void ended(LLLL_Result r) {
        r.r2 = call.call.status().name();
        r.r3 = call.complete();
        r.r4 = call.rig.transport.cancels();
    }
}
