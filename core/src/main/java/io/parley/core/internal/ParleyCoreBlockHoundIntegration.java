package io.parley.core.internal;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What Parley core lets BlockHound pass, for applications that install BlockHound: a short lock
 * that BlockHound would take for blocking on a non-blocking thread, where it would fail a call
 * that blocked nothing.
 *
 * <ul>
 *   <li>Jackson fills its deserializer cache under a {@code ReentrantLock}
 *       (jackson-databind#4430, #4568), held only while it builds a deserializer for a type it
 *       meets for the first time. The JSON codec decodes where the transport reads, on an event
 *       loop; two event loops meeting new types at once contend for the lock and one parks
 *       briefly, which BlockHound reports as a blocking call and fails the call with. No I/O
 *       happens under that lock. Everything else stays checked.</li>
 * </ul>
 *
 * <p>BlockHound finds this class through {@code ServiceLoader}
 * ({@code META-INF/services/reactor.blockhound.integration.BlockHoundIntegration}) when it is
 * installed, and nothing else loads it. The dependency on BlockHound is therefore optional:
 * core still depends on Reactor only (and Jackson for the JSON codec), and runs without
 * BlockHound on the class path. Not API.
 */
public final class ParleyCoreBlockHoundIntegration implements BlockHoundIntegration {

    /** For {@code ServiceLoader}. */
    public ParleyCoreBlockHoundIntegration() {
    }

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer");
    }
}
