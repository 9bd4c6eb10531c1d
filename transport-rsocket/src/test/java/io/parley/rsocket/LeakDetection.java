package io.parley.rsocket;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

/**
 * Netty's leak detector at PARANOID for every test of the module, and a failure for any leak.
 *
 * <p>As a {@link LauncherSessionListener} it installs, before any buffer class is loaded, a
 * detector factory that records each leak report. As an extension on a test class it collects
 * garbage after the class, lets the detector look, and fails the class if anything leaked.
 */
public final class LeakDetection implements LauncherSessionListener, AfterAllCallback {

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (int round = 0; round < 5; round++) {
            System.gc();
            // The detector looks for collected buffers whenever a new one is tracked.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            for (ByteBufAllocator allocator : new ByteBufAllocator[] {ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT}) {
                ByteBuf probe = allocator.buffer(8);
                probe.release();
            }
        }
        List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null) {
            leaks.add(leak);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) reported by Netty's detector during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * RSocket-Java 1.1.5's connector encodes the client's SETUP frame, sends a retained slice of
     * it, and releases the frame itself only in the chain that follows (its {@code doFinally}
     * around the socket acceptor). A connect cancelled between the two — a client disposed while it
     * connects — never subscribes that chain, and the frame is left to the collector. The frame is
     * the connector's alone: Parley never sees it, so a leak made there says nothing of Parley, and
     * only that one is let through, by where it was made.
     */
    static boolean isRSocketClientSetupFrame(String records) {
        int created = records.indexOf("Created at:");
        if (created < 0) {
            return false;
        }
        String creation = records.substring(created);
        return creation.contains("io.rsocket.frame.SetupFrameCodec.encode")
                && creation.contains("io.rsocket.core.RSocketConnector");
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected boolean needReport() {
                    return true;
                }

                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    if (isRSocketClientSetupFrame(records)) {
                        System.err.println("LeakDetection: RSocket-Java's own SETUP frame of a connect cancelled while "
                                + "it was being set up; not Parley's, not counted:\nLEAK: " + resourceType + records);
                        return;
                    }
                    LEAKS.add("LEAK: " + resourceType + records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add("LEAK: " + resourceType + " (no records)");
                }
            };
        }
    }
}
