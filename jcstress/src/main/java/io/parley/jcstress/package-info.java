/**
 * jcstress tests of Parley's call state machines: the server's (D → (Comp | A) → End) and the
 * client's (C → WComp → (Can →) Comp → End), each driven by two actors racing the seed's
 * operations on one call — complete, abort, the abortive and the graceful cancel, the timeouts —
 * and graded against the outcomes the MS-RPC call model allows. {@link io.parley.jcstress.Jcstress}
 * runs them; not an API.
 *
 * <p>No network and no thread of Parley's own: a call is driven through core's transport SPI by
 * a transport that hands every signal on in the caller's thread ({@link io.parley.jcstress.ServerRig},
 * {@link io.parley.jcstress.ClientRig}, {@link io.parley.jcstress.DirectRig}), and a timer a call
 * schedules is caught as it is scheduled, to be fired by an actor ({@link io.parley.jcstress.Timers}).
 */
@NullMarked
package io.parley.jcstress;

import org.jspecify.annotations.NullMarked;
