package io.parley.rsocket;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets BlockHound pass Netty 4.2's adaptive allocator, the default one, which is not blocking
 * but takes a {@code StampedLock} write lock when it frees a magazine. Under contention that
 * parks, and BlockHound throws from inside an allocation on an event loop or a Reactor parallel
 * thread: RSocket then closes the connection ("Unexpected error during frame handling"), or the
 * error is swallowed by the operator that cancelled (a cancel that never completes). Netty's own
 * integration in 4.2.15 allows the allocator's thread-local setup but not this lock; Armeria
 * carries the same allowance (line/armeria#6344).
 */
public final class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
        builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
    }
}
