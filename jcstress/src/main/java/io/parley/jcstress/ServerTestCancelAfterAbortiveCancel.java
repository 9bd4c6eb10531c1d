package io.parley.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLLLL_Result;

/**
 * RpcServerTestCancel polled twice while the client's RpcAsyncCancelCall(fAbort = TRUE) arrives:
 * once it answers RPC_S_OK it never answers RPC_S_CALL_IN_PROGRESS again, and testing changes
 * nothing. The cancelled call stays open for its handler, as the seed requires ("the server must
 * still complete or abort the call"); its complete then returns RPC_S_CALL_CANCELLED and sends
 * nothing.
 */
@JCStressTest
@Description("Server: testCancel polled while the client's abortive cancel arrives")
@Outcome(id = "RPC_S_CALL_IN_PROGRESS, RPC_S_CALL_IN_PROGRESS, RPC_S_OK, RPC_S_CALL_CANCELLED, nothing, 1", expect = ACCEPTABLE,
        desc = "Both polls before the cancel.")
@Outcome(id = "RPC_S_CALL_IN_PROGRESS, RPC_S_OK, RPC_S_OK, RPC_S_CALL_CANCELLED, nothing, 1", expect = ACCEPTABLE,
        desc = "The cancel arrived between the polls.")
@Outcome(id = "RPC_S_OK, RPC_S_OK, RPC_S_OK, RPC_S_CALL_CANCELLED, nothing, 1", expect = ACCEPTABLE,
        desc = "Both polls after the cancel.")
@Outcome(expect = FORBIDDEN, desc = "A cancel seen and then unseen, a cancelled call that ended without its handler, "
        + "or a reply sent to a client that left.")
@State
public class ServerTestCancelAfterAbortiveCancel {

    private final ServerRig rig = ServerRig.dispatch();

    @Actor
    public void client() {
        rig.cancelAbortively();
    }

    @Actor
    public void handler(LLLLLL_Result r) {
        r.r1 = rig.call.testCancel().name();
        r.r2 = rig.call.testCancel().name();
    }

    @Arbiter
    public void ended(LLLLLL_Result r) {
        r.r3 = rig.call.testCancel().name();
        r.r4 = rig.call.complete(ServerRig.reply()).name();
        r.r5 = rig.transport.seen();
        r.r6 = rig.transport.releases();
    }
}
