package io.parley.test;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Netty's leak detector at PARANOID for every buffer a test JVM makes, and a failure for the test
 * class that leaked one.
 *
 * <p>Netty creates a buffer class's detector when the class loads, so the detector must be in
 * place before any buffer exists: register this class as a JUnit {@link LauncherSessionListener},
 * in {@code src/test/resources/META-INF/services/org.junit.platform.launcher.LauncherSessionListener}
 * (one line: {@code io.parley.test.NettyLeakDetection}). As an extension — on a class with
 * {@code @ExtendWith(NettyLeakDetection.class)}, or on every class through
 * {@code junit.jupiter.extensions.autodetection.enabled=true} and the same line in
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} — it collects garbage after
 * the class, lets the detector look, and fails the class with every leak's access records. A
 * leak is reported where the collector finds it: a buffer leaked by an object that outlives the
 * class (a cached Spring context) fails a later class.
 *
 * <p>Needs {@code io.netty:netty-buffer} and {@code org.junit.platform:junit-platform-launcher}
 * on the test class path.
 *
 * <p>One leak is not counted: RSocket-Java 1.1.5's connector encodes the client's SETUP frame,
 * sends a retained slice of it, and releases the frame itself only in the chain that follows; a
 * connect cancelled between the two (a client disposed while it connects) leaves the frame to the
 * collector. That frame is RSocket-Java's alone, known by where it was made, and is printed
 * instead.
 */
public final class NettyLeakDetection implements LauncherSessionListener, AfterAllCallback {

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    /** Made by JUnit, from the service files or {@code @ExtendWith}. */
    public NettyLeakDetection() {
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    /**
     * Puts the recording detector in place, once per JVM; what the launcher session listener
     * does. Buffer classes loaded before it keep the detector they had.
     */
    public static void install() {
        if (INSTALLED.compareAndSet(false, true)) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
            ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        }
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
        List<String> leaks = drainLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) reported by Netty's detector during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * Takes the leaks reported since the last call, each with its access records: for a program
     * that runs long rather than a test class (a soak), which looks now and then. Netty reports a
     * leak when it finds the leaked buffer collected, so a program that wants them all collects
     * garbage first.
     *
     * @return the reports, oldest first; empty if none
     */
    public static List<String> drainLeaks() {
        List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null) {
            leaks.add(leak);
        }
        return leaks;
    }

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
                        System.err.println("NettyLeakDetection: RSocket-Java's own SETUP frame of a connect cancelled while "
                                + "it was being set up; not counted:\nLEAK: " + resourceType + records);
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
