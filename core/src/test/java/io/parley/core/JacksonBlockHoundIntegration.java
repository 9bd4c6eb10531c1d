package io.parley.core;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Lets Jackson fill its deserializer cache on a non-blocking thread. Jackson guards the cache with
 * a {@code ReentrantLock} (jackson-databind#4430, #4568) held only while it builds a deserializer
 * for a type it meets for the first time; two event loops meeting new types at once contend for
 * it and one parks briefly, which BlockHound would otherwise report as a blocking call and fail
 * the call with it. No I/O happens under that lock. Everything else stays checked.
 */
public final class JacksonBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
    }
}
