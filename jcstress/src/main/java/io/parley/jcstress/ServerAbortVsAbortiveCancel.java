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
 * RpcAsyncAbortCall racing the client's RpcAsyncCancelCall(fAbort = TRUE). A cancel never ends a
 * call its handler holds — the seed leaves that to the server — so the abort ends it either way
 * and returns RPC_S_OK; its fault goes out only to a client that is still there. A second end is
 * refused with RPC_S_INVALID_ASYNC_HANDLE.
 */
@JCStressTest
@Description("Server: abort racing the client's abortive cancel")
@Outcome(id = "RPC_S_OK, fault 0x0000BEEF, RPC_S_INVALID_ASYNC_HANDLE, 0x0000BEEF, 1", expect = ACCEPTABLE,
        desc = "Abort first: the fault went out before the transport was cancelled.")
@Outcome(id = "RPC_S_OK, nothing, RPC_S_INVALID_ASYNC_HANDLE, 0x0000BEEF, 1", expect = ACCEPTABLE,
        desc = "The cancel came before the fault was handed to the transport: nothing goes to a client that left.")
@Outcome(expect = FORBIDDEN, desc = "The abort was refused, the call ended twice or with another status, or the request was released other than once.")
@State
public class ServerAbortVsAbortiveCancel {

    private final ServerRig rig = ServerRig.dispatch();

    @Actor
    public void handler(LLLLL_Result r) {
        r.r1 = rig.call.abort(ServerRig.FAULT).name();
    }

    @Actor
    public void client() {
        rig.cancelAbortively();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r2 = rig.transport.seen();
        r.r3 = rig.call.complete(ServerRig.reply()).name();
        r.r4 = rig.call.status().name();
        r.r5 = rig.transport.releases();
    }
}
