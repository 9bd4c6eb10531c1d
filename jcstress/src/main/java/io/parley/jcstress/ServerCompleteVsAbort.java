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

/**
 * RpcAsyncCompleteCall and RpcAsyncAbortCall on one call from two of the handler's threads: the
 * server table's D goes to Comp or to A, never both. The winner returns RPC_S_OK, the other
 * RPC_S_INVALID_ASYNC_HANDLE, and the transport is sent the winner's end alone.
 */
@JCStressTest
@Description("Server: complete racing abort, from two threads")
@Outcome(id = "RPC_S_OK, RPC_S_INVALID_ASYNC_HANDLE, reply+end, RPC_S_OK, 1", expect = ACCEPTABLE,
        desc = "Complete won: D -> Comp -> End, the reply sent.")
@Outcome(id = "RPC_S_INVALID_ASYNC_HANDLE, RPC_S_OK, fault 0x0000BEEF, 0x0000BEEF, 1", expect = ACCEPTABLE,
        desc = "Abort won: D -> A -> End, the fault sent, no reply encoded.")
@Outcome(expect = FORBIDDEN, desc = "Both or neither ended the call, or the transport was sent something other than the winner's end.")
@State
public class ServerCompleteVsAbort {

    private final ServerRig rig = ServerRig.dispatch();

    @Actor
    public void completes(LLLLL_Result r) {
        r.r1 = rig.call.complete(ServerRig.reply()).name();
    }

    @Actor
    public void aborts(LLLLL_Result r) {
        r.r2 = rig.call.abort(ServerRig.FAULT).name();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r3 = rig.transport.seen();
        r.r4 = rig.call.status().name();
        r.r5 = rig.transport.releases();
    }
}
