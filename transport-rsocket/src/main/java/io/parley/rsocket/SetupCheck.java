package io.parley.rsocket;

import java.net.SocketAddress;

import org.jspecify.annotations.Nullable;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.InvalidSetupException;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;
import io.rsocket.frame.SetupFrameCodec;
import io.rsocket.plugins.DuplexConnectionInterceptor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A server connection that refuses, with INVALID_SETUP, a SETUP frame RSocket-Java 1.1.5 would
 * mishandle: one too short to hold its keepalive interval and lifetime, or with either not
 * positive, as the RSocket protocol requires them. RSocket-Java reads both after it has taken
 * hold of the frame and starts a timer with the interval as it is: a negative interval, or a
 * frame cut short, throws there and leaves the frame unreleased; a zero interval ticks without
 * pause for as long as the connection lives. The frame never reaches RSocket-Java; the refusal
 * is sent and the connection closed. Every other frame passes as it came.
 *
 * <p>Installed on each connection as RSocket-Java's {@link DuplexConnectionInterceptor} of the
 * transport's connection, before RSocket-Java reads the first frame.
 */
final class SetupCheck implements DuplexConnection {

    /** Header, version, keepalive interval and lifetime: what the frame must hold for the check. */
    private static final int FIXED_FIELDS = FrameHeaderCodec.size() + 12;

    private final DuplexConnection connection;
    /**
     * Whether the first frame has passed. A plain field: the frames of {@link #receive()} are
     * signalled one at a time, so each read sees the last write, and a frame after the first costs
     * one read, not an atomic operation.
     */
    private boolean firstSeen;

    private SetupCheck(DuplexConnection connection) {
        this.connection = connection;
    }

    /** The interceptor that checks the SETUP of each connection a server accepts. */
    static DuplexConnectionInterceptor interceptor() {
        return (type, connection) -> type == DuplexConnectionInterceptor.Type.SOURCE ? new SetupCheck(connection) : connection;
    }

    @Override
    public Flux<ByteBuf> receive() {
        // The transport releases each frame once it has been handed on, or dropped here.
        return connection.receive().filter(this::passes);
    }

    private boolean passes(ByteBuf frame) {
        if (firstSeen) {
            return true;
        }
        firstSeen = true;
        return admissible(frame);
    }

    /** Whether a connection's first frame may go on to RSocket-Java; if not, the connection is refused and closed. */
    private boolean admissible(ByteBuf frame) {
        String problem = problem(frame);
        if (problem == null) {
            return true;
        }
        connection.sendErrorAndClose(new InvalidSetupException(problem));
        return false;
    }

    /** What is wrong with a first frame, or {@code null} if nothing this check looks at. */
    static @Nullable String problem(ByteBuf frame) {
        if (frame.readableBytes() < FrameHeaderCodec.size()
                || FrameHeaderCodec.streamId(frame) != 0
                || (frame.getUnsignedShort(frame.readerIndex() + 4) >>> 10) != FrameType.SETUP.getEncodedType()) {
            return null;
        }
        if (frame.readableBytes() < FIXED_FIELDS) {
            return "SETUP frame of " + frame.readableBytes() + " bytes (expected: at least " + FIXED_FIELDS + ")";
        }
        int interval = SetupFrameCodec.keepAliveInterval(frame);
        int lifetime = SetupFrameCodec.keepAliveMaxLifetime(frame);
        if (interval <= 0 || lifetime <= 0) {
            return "keepalive interval " + interval + " ms, max lifetime " + lifetime + " ms (expected: both > 0)";
        }
        return null;
    }

    @Override
    public void sendFrame(int streamId, ByteBuf frame) {
        connection.sendFrame(streamId, frame);
    }

    @Override
    public void sendErrorAndClose(RSocketErrorException errorException) {
        connection.sendErrorAndClose(errorException);
    }

    @Override
    public ByteBufAllocator alloc() {
        return connection.alloc();
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    @Override
    public Mono<Void> onClose() {
        return connection.onClose();
    }

    @Override
    public void dispose() {
        connection.dispose();
    }

    @Override
    public boolean isDisposed() {
        return connection.isDisposed();
    }

    @Override
    public double availability() {
        return connection.availability();
    }
}
