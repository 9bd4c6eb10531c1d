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
import org.openjdk.jcstress.infra.results.LLLL_Result;

import io.parley.core.client.CancelMode;

/**
 * Both state machines at once: the server's RpcAsyncCompleteCall racing the client's
 * RpcAsyncCancelCall(fAbort = TRUE), over a transport that hands each signal straight on. The
 * client decides its call at once when it cancels, before the CANCEL reaches the server; so the
 * server's complete may win on the server while the client has already left, the reply then
 * dropped by the client. What never happens is a client that receives a reply the server says it
 * dropped, or a call that either side ends twice or never.
 */
@JCStressTest
@Description("Client and server: the server's complete racing the client's abortive cancel")
@Outcome(id = "RPC_S_OK, RPC_S_NOT_CANCELLED, RPC_S_OK with reply, RPC_S_OK", expect = ACCEPTABLE,
        desc = "Complete first: the client received the reply; its cancel came too late.")
@Outcome(id = "RPC_S_CALL_CANCELLED, RPC_S_OK, RPC_S_CALL_CANCELLED, RPC_S_CALL_CANCELLED", expect = ACCEPTABLE,
        desc = "Cancel first: the server's complete returns RPC_S_CALL_CANCELLED, the reply dropped, not sent.")
@Outcome(id = "RPC_S_OK, RPC_S_OK, RPC_S_CALL_CANCELLED, RPC_S_OK", expect = ACCEPTABLE_INTERESTING,
        desc = "Crossed: the client had cancelled, its CANCEL not yet at the server, when the server completed; "
                + "the client, gone, drops the reply.")
@Outcome(expect = FORBIDDEN, desc = "A reply received after the server dropped it, a call ended twice or never on either side.")
@State
public class CallCompleteVsAbortiveCancel {

    private final DirectRig rig = new DirectRig();

    @Actor
    public void server(LLLL_Result r) {
        r.r1 = rig.server.complete(DirectRig.reply()).name();
    }

    @Actor
    public void client(LLLL_Result r) {
        r.r2 = rig.client.cancel(CancelMode.ABORTIVE).name();
    }

    @Arbiter
    public void ended(LLLL_Result r) {
        r.r3 = rig.completeOnClient();
        r.r4 = rig.server.status().name();
    }
}
