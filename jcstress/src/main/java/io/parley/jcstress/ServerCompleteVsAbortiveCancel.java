package io.parley.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LLLLL_Result;

/**
 * RpcAsyncCompleteCall on the server racing the client's RpcAsyncCancelCall(fAbort = TRUE), as
 * the transport passes it on. Exactly one decides the call: the complete, whose reply goes out,
 * or the cancel, after which the complete returns RPC_S_CALL_CANCELLED and the reply is dropped.
 * The call ends once either way, a second end is refused, and the request's bytes go back once.
 */
@JCStressTest
@Description("Server: complete racing the client's abortive cancel")
@Outcome(id = "RPC_S_OK, reply+end, RPC_S_INVALID_ASYNC_HANDLE, RPC_S_OK, 1", expect = ACCEPTABLE,
        desc = "Complete first: the reply and the end went out before the transport was cancelled.")
@Outcome(id = "RPC_S_OK, reply, RPC_S_INVALID_ASYNC_HANDLE, RPC_S_OK, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "Complete first; the transport was cancelled between the reply and the end, which it no longer needs.")
@Outcome(id = "RPC_S_OK, nothing, RPC_S_INVALID_ASYNC_HANDLE, RPC_S_OK, 1", expect = ACCEPTABLE_INTERESTING,
        desc = "Complete first; the transport was cancelled before the reply was handed to it: nothing goes to a client that left.")
@Outcome(id = "RPC_S_CALL_CANCELLED, nothing, RPC_S_INVALID_ASYNC_HANDLE, RPC_S_CALL_CANCELLED, 1", expect = ACCEPTABLE,
        desc = "Cancel first: complete returns RPC_S_CALL_CANCELLED and the reply is dropped, not sent.")
@Outcome(expect = FORBIDDEN, desc = "Both or neither decided the call, a reply went out after complete said it was dropped, "
        + "the call ended twice, or the request was released other than once.")
@State
public class ServerCompleteVsAbortiveCancel {

    private final ServerRig rig = ServerRig.dispatch();

    @Actor
    public void handler(LLLLL_Result r) {
        r.r1 = rig.call.complete(ServerRig.reply()).name();
    }

    @Actor
    public void client() {
        rig.cancelAbortively();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r2 = rig.transport.seen();
        r.r3 = rig.call.abort(ServerRig.FAULT).name();
        r.r4 = rig.call.status().name();
        r.r5 = rig.transport.releases();
    }
}
