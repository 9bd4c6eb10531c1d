package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.rsocket.DuplexConnection;
import io.rsocket.frame.ErrorFrameCodec;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;
import io.rsocket.transport.local.LocalClientTransport;
import reactor.core.CoreSubscriber;

/**
 * A client of a Parley server that speaks in RSocket frames, for the fuzz tests: it connects over
 * RSocket's in-JVM local transport, sends whatever frames a test builds, and records what comes
 * back. Every buffer of the connection, on both sides, comes from one allocator that remembers
 * them, so that a test can ask, once the connection is gone, whether any was left unreleased.
 *
 * <p>Not thread-safe, but for what arrives: frames come in on whatever thread the server sends
 * them from.
 */
final class RawPeer implements AutoCloseable {

    /** How long any one wait lasts: far beyond a healthy answer in memory, short enough for a fuzzer to call it a hang. */
    static final Duration WAIT = Duration.ofSeconds(5);

    /** A frame that came back, read while its buffer was alive. */
    record Frame(int streamId, FrameType type, int flags, int errorCode, String data) {

        boolean isError() {
            return type == FrameType.ERROR;
        }

        @Override
        public String toString() {
            return type + " on stream " + streamId + (isError() ? " code 0x" + Integer.toHexString(errorCode) : "")
                    + " \"" + data + "\"";
        }
    }

    private final Tracking allocator = new Tracking();
    private final DuplexConnection connection;
    private final Queue<Frame> received = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private volatile @Nullable Subscription subscription;

    /**
     * Connects to a server on the local transport; nothing is sent yet.
     *
     * @param name the server's local name
     */
    RawPeer(String name) {
        DuplexConnection c = LocalClientTransport.create(name, allocator).connect().block(WAIT);
        assertThat(c).as("a local connection to " + name).isNotNull();
        connection = c;
        connection.receive().subscribe(new CoreSubscriber<ByteBuf>() {
            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuf frame) {
                // The transport releases the frame once this returns.
                received.add(read(frame));
            }

            @Override
            public void onError(Throwable t) {
                closed = true;
            }

            @Override
            public void onComplete() {
                closed = true;
            }
        });
    }

    /** Where the frames a test sends come from: the connection's own allocator. */
    ByteBufAllocator alloc() {
        return allocator;
    }

    /** Sends a frame; the connection owns it from here on. */
    void send(int streamId, ByteBuf frame) {
        connection.sendFrame(streamId, frame);
    }

    /** Whether the server has closed the connection: nothing more comes in. */
    boolean isClosed() {
        return closed;
    }

    /** The frames received so far. */
    List<Frame> received() {
        return new ArrayList<>(received);
    }

    /**
     * The first frame received that matches, waiting up to {@link #WAIT} for it; {@code null} if
     * the connection closed without one.
     */
    @Nullable Frame await(String what, Predicate<Frame> matching) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            boolean wasClosed = closed;
            for (Frame frame : received) {
                if (matching.test(frame)) {
                    return frame;
                }
            }
            if (wasClosed) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT + ": " + what + "; received " + received);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
        }
    }

    /** The answer on a stream that ends it: a PAYLOAD with the complete flag, or an ERROR; {@code null} if the connection closed first. */
    @Nullable Frame awaitEnd(String what, int streamId) {
        return await(what, f -> f.streamId() == streamId && (f.isError()
                || f.type() == FrameType.PAYLOAD && (f.flags() & FrameHeaderCodec.FLAGS_C) != 0));
    }

    /**
     * Closes the connection from this side and waits until the server has let go of every buffer
     * of it, both sides' frames included.
     */
    @Override
    public void close() {
        connection.dispose();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!closed || !allocator.allReleased()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT + " after the connection was closed: "
                        + (closed ? "buffers of the connection released: " + allocator.unreleased() : "the server's end of it"));
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(20));
        }
    }

    private static Frame read(ByteBuf frame) {
        if (frame.readableBytes() < FrameHeaderCodec.size()) {
            return new Frame(-1, FrameType.RESERVED, 0, 0, "a frame of " + frame.readableBytes() + " bytes");
        }
        int streamId = FrameHeaderCodec.streamId(frame);
        FrameType type = FrameHeaderCodec.nativeFrameType(frame);
        int flags = FrameHeaderCodec.flags(frame);
        if (type == FrameType.ERROR) {
            return new Frame(streamId, type, flags, ErrorFrameCodec.errorCode(frame), ErrorFrameCodec.dataUtf8(frame));
        }
        int bodyStart = FrameHeaderCodec.size();
        String data = "";
        if (type == FrameType.PAYLOAD) {
            int dataStart = bodyStart + ((flags & FrameHeaderCodec.FLAGS_M) != 0 ? 3 + frame.getUnsignedMedium(bodyStart) : 0);
            data = frame.toString(dataStart, frame.writerIndex() - dataStart, StandardCharsets.UTF_8);
        }
        return new Frame(streamId, type, flags, 0, data);
    }

    /**
     * Unpooled buffers, each remembered: unpooled, a buffer is never handed out again once
     * released, so its reference count stays a true answer.
     */
    private static final class Tracking extends AbstractByteBufAllocator {

        private final UnpooledByteBufAllocator unpooled = new UnpooledByteBufAllocator(false);
        private final Queue<ByteBuf> buffers = new ConcurrentLinkedQueue<>();

        Tracking() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return remember(unpooled.heapBuffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return remember(unpooled.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
            return remember(super.compositeHeapBuffer(maxNumComponents));
        }

        @Override
        public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
            return remember(super.compositeDirectBuffer(maxNumComponents));
        }

        private <B extends ByteBuf> B remember(B buf) {
            buffers.add(buf);
            return buf;
        }

        /** Whether every buffer is released; polled while the connection's event loop may be releasing them. */
        boolean allReleased() {
            for (ByteBuf buf : buffers) {
                if (buf.refCnt() != 0) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The buffers still referenced, for a failure's message. A buffer the event loop releases
         * meanwhile may fail to describe itself (a composite frees its components as it goes):
         * then it is named by its type alone.
         */
        List<String> unreleased() {
            List<String> left = new ArrayList<>();
            for (ByteBuf buf : buffers) {
                int refCnt = buf.refCnt();
                if (refCnt != 0) {
                    String described;
                    try {
                        described = buf.toString();
                    }
                    catch (RuntimeException e) {
                        described = buf.getClass().getSimpleName() + " (released while described)";
                    }
                    left.add(described + " refCnt=" + refCnt);
                }
            }
            return left;
        }
    }
}
