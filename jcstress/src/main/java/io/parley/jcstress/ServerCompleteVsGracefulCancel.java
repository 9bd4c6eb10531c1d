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
 * A handler that asks RpcServerTestCancel and then completes, racing the client's
 * RpcAsyncCancelCall(fAbort = FALSE). A graceful cancel only tells the server: whether the
 * handler saw it or not, its complete returns RPC_S_OK and the reply reaches the client. Once the
 * call has ended, testCancel answers RPC_S_INVALID_BINDING.
 */
@JCStressTest
@Description("Server: testCancel and complete racing the client's graceful cancel")
@Outcome(id = "RPC_S_CALL_IN_PROGRESS, RPC_S_OK, reply+end, RPC_S_INVALID_BINDING, 1", expect = ACCEPTABLE,
        desc = "The notice came after the handler asked: it completes as usual.")
@Outcome(id = "RPC_S_OK, RPC_S_OK, reply+end, RPC_S_INVALID_BINDING, 1", expect = ACCEPTABLE,
        desc = "The handler saw the cancel and completed anyway: the reply still reaches the client.")
@Outcome(expect = FORBIDDEN, desc = "A graceful cancel cost the call its reply or its end, or changed what complete returns.")
@State
public class ServerCompleteVsGracefulCancel {

    private final ServerRig rig = ServerRig.dispatch();

    @Actor
    public void handler(LLLLL_Result r) {
        r.r1 = rig.call.testCancel().name();
        r.r2 = rig.call.complete(ServerRig.reply()).name();
    }

    @Actor
    public void client() {
        rig.cancelGracefully();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r3 = rig.transport.seen();
        r.r4 = rig.call.testCancel().name();
        r.r5 = rig.transport.releases();
    }
}
