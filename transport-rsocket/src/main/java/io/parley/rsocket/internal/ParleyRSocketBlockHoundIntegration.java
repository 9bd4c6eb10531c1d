package io.parley.rsocket.internal;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What Parley's RSocket transport lets BlockHound pass, for applications that install BlockHound:
 * two short locks that BlockHound takes for blocking when a contended one parks. BlockHound then
 * throws from deep inside Netty or RSocket on an event loop or a Reactor parallel thread, and the
 * error breaks what was under way rather than a handler that blocked.
 *
 * <ul>
 *   <li>Netty 4.2's adaptive allocator, the default, takes a {@code StampedLock} write lock when
 *       it frees a magazine. Thrown from an allocation, the error makes RSocket close the whole
 *       connection ("Unexpected error during frame handling"), or, from the CANCEL frame a cancel
 *       encodes, is swallowed by the operator that cancelled, whose Mono then never completes.
 *       Netty 4.2.15's own integration allows only the allocator's thread-local setup; Armeria
 *       carries the same allowance (line/armeria#6344).</li>
 *   <li>The work queue of Reactor's schedulers takes a {@code ReentrantLock} to remove a
 *       cancelled task. RSocket cancels its keepalive timer while it ends a requester, on the
 *       event loop: thrown there, the error cuts the termination short, the requester's calls
 *       never end and its close never comes. Reactor's own integration allows {@code offer} and
 *       {@code take} on that queue, not {@code remove}.</li>
 * </ul>
 *
 * Both were seen only when the machine was loaded enough for lock holders to be preempted.
 * Everything else stays checked.
 *
 * <p>BlockHound finds this class through {@code ServiceLoader}
 * ({@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}) when it is
 * installed, and nothing else loads it; the dependency on BlockHound is optional. Not API.
 */
public final class ParleyRSocketBlockHoundIntegration implements BlockHoundIntegration {

    /** For {@code ServiceLoader}. */
    public ParleyRSocketBlockHoundIntegration() {
    }

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
        builder.allowBlockingCallsInside("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue", "remove");
    }
}
