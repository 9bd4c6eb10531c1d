package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parley.test.NettyLeakDetection;

/** The SETUP frames a server refuses before RSocket-Java reads them, and those it lets through. */
@ExtendWith(NettyLeakDetection.class)
class SetupCheckTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    @Test
    void parleyClientsSetup_passes() {
        assertThat(problemOf(FuzzServer.setup(ALLOC, 0))).isNull();
    }

    @Test
    void zeroKeepaliveInterval_isRefused() {
        assertThat(problemOf(setup(0, 90_000))).isEqualTo("keepalive interval 0 ms, max lifetime 90000 ms (expected: both > 0)");
    }

    @Test
    void negativeKeepaliveInterval_isRefused() {
        assertThat(problemOf(setup(-703_853_056, 90_000))).startsWith("keepalive interval -703853056 ms");
    }

    @Test
    void nonPositiveLifetime_isRefused() {
        assertThat(problemOf(setup(20_000, 0))).endsWith("max lifetime 0 ms (expected: both > 0)");
    }

    @Test
    void setupCutShortBeforeItsLifetime_isRefused() {
        ByteBuf whole = setup(20_000, 90_000);
        ByteBuf cut = Unpooled.copiedBuffer(whole.slice(0, 14));
        whole.release();
        assertThat(problemOf(cut)).isEqualTo("SETUP frame of 14 bytes (expected: at least 18)");
    }

    @Test
    void otherFrames_pass() {
        assertThat(problemOf(FuzzServer.request(ALLOC, 1, "echo", 1, "\"x\""))).isNull();
        // A RESUME, and a frame too short for a header: RSocket-Java answers them itself.
        assertThat(problemOf(Unpooled.buffer().writeInt(0).writeShort(0x0D << 10))).isNull();
        assertThat(problemOf(Unpooled.buffer().writeByte(1))).isNull();
    }

    private static ByteBuf setup(int keepAlive, int lifetime) {
        return FuzzServer.setup(ALLOC, 0, FuzzServer.VERSION_1_0, keepAlive, lifetime, new byte[0],
                FuzzServer.ascii(ParleyMetadataCodec.COMPOSITE_MIME_TYPE), FuzzServer.ascii("application/json"), null, new byte[0]);
    }

    /** The problem the check finds; the frame released, its reader index checked untouched. */
    private static String problemOf(ByteBuf frame) {
        try {
            int readerIndex = frame.readerIndex();
            String problem = SetupCheck.problem(frame);
            assertThat(frame.readerIndex()).isEqualTo(readerIndex);
            return problem;
        }
        finally {
            frame.release();
        }
    }
}
