package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtendWith;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parley.core.RpcFault;
import io.parley.test.NettyLeakDetection;
import io.rsocket.RSocketErrorException;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.CanceledException;
import io.rsocket.exceptions.ConnectionCloseException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.Exceptions;
import io.rsocket.exceptions.InvalidException;
import io.rsocket.exceptions.InvalidSetupException;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.exceptions.UnsupportedSetupException;
import io.rsocket.frame.ErrorFrameCodec;
import io.rsocket.frame.FrameHeaderCodec;
import io.rsocket.frame.FrameType;

/**
 * FaultCodec fed whatever a peer may put in an ERROR frame: any error code, on stream 0 or a
 * call's stream, with any bytes as its text. A Parley client turns every such error into an
 * {@link RpcFault} with a nonzero code and never throws doing so; text in Parley's form is read
 * as exactly the fault it names, and a fault read from text reads back the same from its own text.
 *
 * <p>Input layout: 4 bytes of error code (big-endian), 1 byte whose low bit puts the frame on
 * stream 0, then the text. The corpus under {@code FaultCodecFuzzTestInputs/} is replayed by
 * every build; see the README's "Fuzzing".
 */
@ExtendWith(NettyLeakDetection.class)
class FaultCodecFuzzTest {

    private static final int HEADER = 5;

    @FuzzTest
    void errors_becomeFaultsWithNonzeroCodes_andParleysTextReadsAsItsFault(byte[] input) {
        int code = input.length >= 4 ? (input[0] & 0xFF) << 24 | (input[1] & 0xFF) << 16 | (input[2] & 0xFF) << 8 | input[3] & 0xFF : 0x201;
        int streamId = input.length >= HEADER && (input[4] & 1) != 0 ? 0 : 3;
        byte[] textBytes = input.length > HEADER ? Arrays.copyOfRange(input, HEADER, input.length) : new byte[0];

        // The text as RSocket's requester reads it from the frame.
        ByteBuf frame = errorFrame(streamId, code, textBytes);
        String text;
        RuntimeException decoded;
        try {
            text = ErrorFrameCodec.dataUtf8(frame);
            decoded = decodedByRSocket(streamId, frame);
        }
        finally {
            frame.release();
        }
        assertThat(frame.refCnt()).isZero();

        RpcFault parsed = FaultCodec.parse(text);
        if (parsed != null) {
            assertThat(parsed.faultCode()).isNotZero();
            assertReadsBackTheSame(parsed);
        }

        List<RuntimeException> errors = List.of(new ApplicationErrorException(text), new RejectedSetupException(text),
                new InvalidSetupException(text), new UnsupportedSetupException(text), new RejectedException(text),
                new CanceledException(text), new InvalidException(text), new ConnectionErrorException(text),
                new ConnectionCloseException(text), new IllegalStateException(text), new IllegalArgumentException(text));
        for (RuntimeException error : errors) {
            RpcFault fault = FaultCodec.toFault(error);
            assertThat(fault.faultCode()).as("the fault of %s", error).isNotZero();
            if (parsed != null && (error instanceof ApplicationErrorException || error instanceof RejectedSetupException
                    || error instanceof InvalidSetupException || error instanceof UnsupportedSetupException)) {
                assertThat(fault.faultCode()).isEqualTo(parsed.faultCode());
                assertThat(fault.detail()).isEqualTo(parsed.detail());
            }
        }
        if (decoded != null) {
            assertThat(FaultCodec.toFault(decoded).faultCode()).isNotZero();
        }
    }

    /** An ERROR frame as a peer writes it: any code, any bytes. */
    private static ByteBuf errorFrame(int streamId, int code, byte[] text) {
        ByteBuf frame = FrameHeaderCodec.encode(ByteBufAllocator.DEFAULT, streamId, FrameType.ERROR, 0);
        frame.writeInt(code);
        frame.writeBytes(Unpooled.wrappedBuffer(text));
        return frame;
    }

    /**
     * The error RSocket-Java's requester makes of the frame. For codes 0xFFFFFFFF and those up
     * to 0x300 it has no name for, RSocket-Java 1.1.5's {@code Exceptions.from} throws where it
     * means to make a custom error (its range check is inverted): that is RSocket-Java's to
     * answer, before FaultCodec sees anything, so the input tells nothing of Parley.
     */
    private static @Nullable RuntimeException decodedByRSocket(int streamId, ByteBuf frame) {
        try {
            RuntimeException error = Exceptions.from(streamId, frame);
            assertThat(error.getMessage()).isNotNull();
            if (error instanceof RSocketErrorException rsocket) {
                assertThat(rsocket.errorCode()).isEqualTo(ErrorFrameCodec.errorCode(frame));
            }
            return error;
        }
        catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("Allowed errorCode value should be in range");
            return null;
        }
    }

    /** A fault's own text reads back as the same code and detail; an empty detail is none. */
    private static void assertReadsBackTheSame(RpcFault fault) {
        RpcFault again = FaultCodec.parse(FaultCodec.text(fault));
        assertThat(again).isNotNull();
        assertThat(Objects.requireNonNull(again).faultCode()).isEqualTo(fault.faultCode());
        assertThat(Objects.toString(again.detail(), "")).isEqualTo(Objects.toString(fault.detail(), ""));
    }
}
