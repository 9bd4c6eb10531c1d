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
import org.openjdk.jcstress.infra.results.LLLLL_Result;

import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;

/**
 * The client's RpcAsyncCancelCall(fAbort = FALSE) racing the graceful bound of the call's
 * timeout. Both move the call to Can and tell the server; the server hears once, from whichever
 * came first, and the call keeps waiting (RPC_S_ASYNC_CALL_PENDING) for the server's own outcome,
 * which it then receives whole.
 */
@JCStressTest
@Description("Client: graceful cancel racing the graceful timeout")
@Outcome(id = "RPC_S_OK, RPC_S_ASYNC_CALL_PENDING, graceful, RPC_S_OK with reply, 0", expect = ACCEPTABLE,
        desc = "The cancel told the server first; the timeout found the call in Can.")
@Outcome(id = "RPC_S_OK, RPC_S_ASYNC_CALL_PENDING, deadline, RPC_S_OK with reply, 0", expect = ACCEPTABLE,
        desc = "The timeout told the server first, naming the deadline; the cancel found the call in Can.")
@Outcome(expect = FORBIDDEN, desc = "The server was told twice or never, the call stopped waiting, or the reply that followed was lost.")
@State
public class ClientGracefulCancelVsGracefulTimeout {

    private final ClientRig.Handle call = ClientRig.start(CallOptions.timeout(Duration.ofHours(1), Duration.ofHours(2)), 2);

    @Actor
    public void timer() {
        call.rig.timers.get(0).run();
    }

    @Actor
    public void client(LLLLL_Result r) {
        r.r1 = call.call.cancel(CancelMode.GRACEFUL).name();
    }

    @Arbiter
    public void ended(LLLLL_Result r) {
        r.r2 = call.call.status().name();
        r.r3 = call.rig.transport.notices();
        // The server's own end, after the notice: the reply reaches the caller.
        call.rig.transport.reply();
        r.r4 = call.complete();
        r.r5 = call.rig.transport.cancels();
    }
}
