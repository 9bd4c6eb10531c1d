package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.ExtendWith;

import com.code_intelligence.jazzer.junit.FuzzTest;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parley.core.Credentials;
import io.parley.core.transport.Interaction;
import io.parley.core.transport.RpcRequest;
import io.parley.test.NettyLeakDetection;

/**
 * ParleyMetadataCodec's readers fed whatever bytes a peer may send as metadata: a request's
 * (composite, or bare routing), a SETUP frame's and a graceful cancel's. Each reads a value or
 * refuses with {@link ParleyMetadataCodec.MalformedMetadataException}, never anything else; it
 * leaves the buffer as it was, reads nothing outside the readable bytes, and reads the same with
 * and without the connection's cache of method names. A request it reads, written again by the
 * encoder, reads back the same.
 *
 * <p>The corpus under {@code ParleyMetadataCodecFuzzTestInputs/} is replayed by every build; see
 * the README's "Fuzzing".
 */
@ExtendWith(NettyLeakDetection.class)
class ParleyMetadataCodecFuzzTest {

    /** Bytes before the input in the second buffer: a reader that reads from index 0, not the reader index, reads these. */
    private static final int OFFSET = 7;

    private static final ByteBuffer NO_DATA = ByteBuffer.allocate(0);

    @FuzzTest
    void readers_readAValueOrRefuseAsMalformed_andLeaveTheBufferAsItWas(byte[] input) {
        // The same bytes twice: at index 0 of a buffer exactly their size, so that a read past the
        // end throws; and after bytes of junk, the reader index past them.
        ByteBuf exact = Unpooled.wrappedBuffer(input);
        ByteBuf offset = Unpooled.buffer(OFFSET + input.length, OFFSET + input.length);
        offset.writeBytes(new byte[] {(byte) 0xFE, 0x00, 0x00, 0x05, 0x04, 'j', 'u'}).writeBytes(input).readerIndex(OFFSET);
        try {
            Outcome composite = sameOnBoth(exact, offset, buf -> decodeRequest(buf, true, null));
            Outcome bare = sameOnBoth(exact, offset, buf -> decodeRequest(buf, false, null));
            sameOnBoth(exact, offset, ParleyMetadataCodec::decodeSetup);
            sameOnBoth(exact, offset, buf -> {
                List<String> ids = new ArrayList<>();
                ParleyMetadataCodec.decodeCancel(buf, id -> ids.add("cancel " + id), id -> ids.add("deadline " + id));
                return ids;
            });

            // The connection's cache of names: read twice with one cache, the second read hits it.
            ParleyMetadataCodec.Names names = new ParleyMetadataCodec.Names();
            assertThat(sameOnBoth(exact, offset, buf -> decodeRequest(buf, true, names))).isEqualTo(composite);
            assertThat(sameOnBoth(exact, offset, buf -> decodeRequest(buf, true, names))).isEqualTo(composite);
            assertThat(sameOnBoth(exact, offset, buf -> decodeRequest(buf, false, names))).isEqualTo(bare);

            if (composite.value() instanceof RpcRequest request) {
                assertReadsBackTheSame(request);
            }
        }
        finally {
            exact.release();
            offset.release();
        }
    }

    private static RpcRequest decodeRequest(ByteBuf buf, boolean composite, ParleyMetadataCodec.@Nullable Names names) {
        return ParleyMetadataCodec.decodeRequest(buf, composite, names, NO_DATA, Interaction.REQUEST_RESPONSE, null);
    }

    /**
     * What a reader made of some bytes: a value, or the message of its refusal; either may be
     * null. Its components carry no type annotations: see the README's "Fuzzing" on records.
     */
    private record Outcome(Object value, String malformed) {
    }

    /**
     * Reads both buffers: the outcomes must be the same, and each buffer as it was. Any exception
     * but MalformedMetadataException fails the input.
     */
    private static Outcome sameOnBoth(ByteBuf exact, ByteBuf offset, Function<ByteBuf, @Nullable Object> reader) {
        Outcome first = read(exact, reader);
        Outcome second = read(offset, reader);
        assertThat(second).isEqualTo(first);
        return first;
    }

    private static Outcome read(ByteBuf buf, Function<ByteBuf, @Nullable Object> reader) {
        int readerIndex = buf.readerIndex();
        int writerIndex = buf.writerIndex();
        Outcome outcome;
        try {
            outcome = new Outcome(reader.apply(buf), null);
        }
        catch (ParleyMetadataCodec.MalformedMetadataException e) {
            assertThat(e.getMessage()).isNotBlank();
            outcome = new Outcome(null, e.getMessage());
        }
        assertThat(buf.readerIndex()).as("reader index").isEqualTo(readerIndex);
        assertThat(buf.writerIndex()).as("writer index").isEqualTo(writerIndex);
        assertThat(buf.refCnt()).as("reference count").isEqualTo(1);
        return outcome;
    }

    /**
     * A request read, written again by the encoder, reads back the same: the method, the call
     * id, the metadata entries and the credentials. The timeout travels in the call id's entry,
     * which the encoder writes only with a call id. A name or credentials whose bytes were not
     * UTF-8 are read with replacement characters, and are compared as read.
     */
    private static void assertReadsBackTheSame(RpcRequest request) {
        if (RpcRequest.utf8Length(request.method()) > RpcRequest.MAX_METHOD_BYTES || !encodable(request.credentials())) {
            return;
        }
        long timeoutMillis = request.timeout() == null ? 0 : Objects.requireNonNull(request.timeout()).toMillis();
        ByteBuf again = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, request.method(), request.callId(),
                timeoutMillis, request.metadata(), request.credentials());
        try {
            RpcRequest back = decodeRequest(again, true, null);
            assertThat(back.method()).isEqualTo(request.method());
            assertThat(back.callId()).isEqualTo(request.callId());
            if (request.callId() != 0) {
                assertThat(back.timeout()).isEqualTo(request.timeout());
            }
            assertThat(back.metadata()).isEqualTo(request.metadata());
            assertThat(back.credentials()).isEqualTo(request.credentials());
        }
        finally {
            again.release();
        }
    }

    /** Whether RSocket's authentication codec can write these credentials: a username of at most 65 535 UTF-8 bytes. */
    private static boolean encodable(@Nullable Credentials credentials) {
        return !(credentials instanceof Credentials.Basic basic) || RpcRequest.utf8Length(basic.username()) <= 0xFFFF;
    }
}
