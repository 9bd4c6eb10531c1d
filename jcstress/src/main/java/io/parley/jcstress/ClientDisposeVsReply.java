package io.parley.jcstress;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.ByteBuffer;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.LL_Result;

/**
 * The everyday {@code Mono}'s subscription disposed — the abortive cancel — racing the reply.
 * A subscriber that cancels hears nothing after it; one that did not gets the reply and the end.
 * The CANCEL reaches the transport only if the dispose decided the call: never after a reply.
 */
@JCStressTest
@Description("Client: a call's Mono disposed racing the reply")
@Outcome(id = "nothing, 1", expect = ACCEPTABLE,
        desc = "Dispose first: the call is cancelled at the transport, the subscriber hears nothing.")
@Outcome(id = "reply+end, 0", expect = ACCEPTABLE,
        desc = "Reply first: the subscriber got the reply and the end; the dispose comes too late.")
@Outcome(id = "nothing, 0", expect = ACCEPTABLE_INTERESTING,
        desc = "The reply decided the call just as the subscriber left: it is not delivered to a subscriber that cancelled, and nothing is cancelled.")
@Outcome(expect = FORBIDDEN, desc = "A fault or a second signal for a subscriber that cancelled, or a CANCEL sent for a call that had its reply.")
@State
public class ClientDisposeVsReply {

    private final Signals<ByteBuffer> subscriber = new Signals<>();
    private final ClientRig rig = ClientRig.subscribe(subscriber);

    @Actor
    public void server() {
        rig.transport.reply();
    }

    @Actor
    public void dispose() {
        subscriber.cancel();
    }

    @Arbiter
    public void ended(LL_Result r) {
        r.r1 = subscriber.seen();
        r.r2 = rig.transport.cancels();
    }
}
