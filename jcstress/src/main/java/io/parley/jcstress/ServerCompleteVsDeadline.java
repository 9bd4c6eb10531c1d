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

import io.parley.core.CancelReason;

/**
 * A handler that asks RpcServerTestCancel and then completes, racing the server's own timer for
 * the timeout the client sent. The deadline passing is a graceful cancel: testCancel turns
 * RPC_S_OK with the deadline as the reason, and the handler's complete still returns RPC_S_OK and
 * sends its reply. A handler that saw the cancel finds its reason; one that completed first leaves
 * the call uncancelled.
 */
@JCStressTest
@Description("Server: testCancel and complete racing the call's deadline")
@Outcome(id = "RPC_S_CALL_IN_PROGRESS, RPC_S_OK, reply+end, none, 1", expect = ACCEPTABLE,
        desc = "Complete before the deadline: the call was never cancelled.")
@Outcome(id = "RPC_S_CALL_IN_PROGRESS, RPC_S_OK, reply+end, DEADLINE, 1", expect = ACCEPTABLE,
        desc = "The deadline passed between the handler's question and its complete.")
@Outcome(id = "RPC_S_OK, RPC_S_OK, reply+end, DEADLINE, 1", expect = ACCEPTABLE,
        desc = "The handler saw the deadline and completed anyway: the reply still goes out.")
@Outcome(expect = FORBIDDEN, desc = "The deadline cost the call its reply, or a cancel was seen without its reason.")
@State
public class ServerCompleteVsDeadline {

    private final ServerRig rig = ServerRig.dispatchWithDeadline();

    @Actor
    public void handler(LLLLL_Result r) {
        r.r1 = rig.call.testCancel().name();
        r.r2 = rig.call.complete(ServerRig.reply()).name();
    }

    @Actor
    public void timer() {
        rig.deadlinePasses();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r3 = rig.transport.seen();
        CancelReason why = rig.call.cancelReason();
        r.r4 = why == null ? "none" : why.name();
        r.r5 = rig.transport.releases();
    }
}
