package io.parley.spring;

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
 * Netty's leak detector at PARANOID for every test of the starter, and a failure for any leak,
 * as transport-rsocket's tests have it.
 *
 * <p>As a {@link LauncherSessionListener} (META-INF/services) it installs, before any buffer class
 * is loaded, a detector factory that records each leak report. As an extension, registered on
 * every test class by JUnit's extension autodetection (junit-platform.properties), it collects
 * garbage after the class, lets the detector look, and fails the class if anything leaked. A
 * Spring context cached across classes may leak in one class and be reported after another.
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
