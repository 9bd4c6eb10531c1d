package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.parley.core.CallMetadata;
import io.parley.core.Credentials;
import io.parley.core.transport.Interaction;
import io.parley.core.transport.RpcRequest;
import io.parley.test.NettyLeakDetection;
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;

/** The metadata of docs/wire-protocol.md, byte for byte. */
@ExtendWith(NettyLeakDetection.class)
class ParleyMetadataCodecTest {

    /** Route "echo", call id 1, timeout 2000 ms: the example of docs/wire-protocol.md §2. */
    static final String REQUEST_HEX = "fe000005046563686f"
            + "17" + hex("message/x.parley.call.v0") + "00000c" + "0000000000000001" + "000007d0";

    /** Graceful cancel of call 1: the example of docs/wire-protocol.md §5. */
    static final String CANCEL_HEX = "19" + hex("message/x.parley.cancel.v0") + "000008" + "0000000000000001";

    private static String hex(String ascii) {
        return ByteBufUtil.hexDump(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void encodeRequest_isTheDocumentedBytes() {
        ByteBuf buf = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "echo", 1, 2000);
        try {
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(REQUEST_HEX);
        }
        finally {
            buf.release();
        }
    }

    /** docs/wire-protocol.md §8.3: a call with a metadata entry and simple credentials. */
    static final String REQUEST_WITH_CONTEXT_HEX = "fe000005046563686f176d6573736167652f782e7061726c65792e63616c6c2e76"
            + "3000000c0000000000000001000007d00574656e616e7400000461636d65fc00000e800005616c696365736563726574";

    /** docs/wire-protocol.md §5.2: the deadline's graceful cancel of call 1. */
    static final String DEADLINE_HEX = "1b" + hex("message/x.parley.deadline.v0") + "000008" + "0000000000000001";

    @Test
    void encodeRequest_withMetadataAndCredentials_isTheDocumentedBytes() {
        ByteBuf buf = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "echo", 1, 2000,
                CallMetadata.of("tenant", "acme"), Credentials.basic("alice", "secret"));
        try {
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(REQUEST_WITH_CONTEXT_HEX);
            assertThat(buf.readableBytes()).isEqualTo(81);
        }
        finally {
            buf.release();
        }
    }

    @Test
    void decodeRequest_readsTheDocumentedEntriesAndCredentials_back() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(REQUEST_WITH_CONTEXT_HEX));
        RpcRequest request = ParleyMetadataCodec.decodeRequest(buf, true, null, java.nio.ByteBuffer.allocate(0),
                Interaction.REQUEST_RESPONSE, null);

        assertThat(request.method()).isEqualTo("echo");
        assertThat(request.callId()).isEqualTo(1);
        assertThat(request.metadata()).isEqualTo(CallMetadata.of("tenant", "acme"));
        assertThat(request.credentials()).isEqualTo(Credentials.basic("alice", "secret"));
    }

    @Test
    void bearerCredentials_andBinaryEntries_roundTrip() {
        byte[] blob = {0, (byte) 0xFF, 0x7F};
        CallMetadata metadata = CallMetadata.of("b", "one").with("blob-bin", blob).with("b", "two");
        ByteBuf buf = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "m", 9, 0, metadata, Credentials.bearer("tok"));
        try {
            RpcRequest request = ParleyMetadataCodec.decodeRequest(buf, true, null, java.nio.ByteBuffer.allocate(0),
                    Interaction.REQUEST_STREAM, null);
            assertThat(request.metadata().getAll("b")).containsExactly("one", "two");
            assertThat(request.metadata().getBytes("blob-bin")).containsExactly(blob);
            assertThat(request.credentials()).isEqualTo(Credentials.bearer("tok"));
            assertThat(buf.readableBytes()).isEqualTo(ParleyMetadataCodec.requestLength(request.withContext(metadata,
                    Credentials.bearer("tok"))));
        }
        finally {
            buf.release();
        }
    }

    @Test
    void setupCredentials_roundTrip() {
        ByteBuf buf = ParleyMetadataCodec.encodeSetup(ByteBufAllocator.DEFAULT, Credentials.bearer("tok"));
        try {
            assertThat(ParleyMetadataCodec.decodeSetup(buf)).isEqualTo(Credentials.bearer("tok"));
        }
        finally {
            buf.release();
        }
    }

    @Test
    void authenticationEntry_cutShort_isMalformed() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("fe000002016d" + "fc000003800009"));
        assertThatThrownBy(() -> ParleyMetadataCodec.decodeRequest(buf, true, null, java.nio.ByteBuffer.allocate(0),
                Interaction.REQUEST_RESPONSE, null))
                .isInstanceOf(ParleyMetadataCodec.MalformedMetadataException.class)
                .hasMessageContaining("message/x.rsocket.authentication.v0");
    }

    @Test
    void encodeCancel_ofADeadline_isTheDocumentedBytes_andReadsAsOne() {
        ByteBuf buf = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, 1, true);
        try {
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(DEADLINE_HEX);
            java.util.List<String> read = new java.util.ArrayList<>();
            ParleyMetadataCodec.decodeCancel(buf, id -> read.add("graceful " + id), id -> read.add("deadline " + id));
            assertThat(read).containsExactly("deadline 1");
        }
        finally {
            buf.release();
        }
    }

    @Test
    void encodeRequest_withoutCallId_isTheRoutingEntryAlone() {
        ByteBuf buf = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "echo", 0, 0);
        try {
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo("fe000005046563686f");
        }
        finally {
            buf.release();
        }
    }

    @Test
    void encodeCancel_isTheDocumentedBytes() {
        ByteBuf buf = ParleyMetadataCodec.encodeCancel(ByteBufAllocator.DEFAULT, 1);
        try {
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(CANCEL_HEX);
        }
        finally {
            buf.release();
        }
    }

    @Test
    void decodeRequest_readsTheDocumentedBytes_andLeavesTheReaderIndex() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(REQUEST_HEX));
        ParleyMetadataCodec.Request request = ParleyMetadataCodec.decodeRequest(buf, true);
        assertThat(request).isEqualTo(new ParleyMetadataCodec.Request("echo", 1, 2000));
        assertThat(buf.readerIndex()).isZero();
    }

    @Test
    void decodeRequest_readsWhatRSocketsOwnCodecWrites_asSpringAndRsocketJsDo() {
        CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
        ByteBuf routing = TaggingMetadataCodec.createRoutingMetadata(ByteBufAllocator.DEFAULT, List.of("orders.place")).getContent();
        CompositeMetadataCodec.encodeAndAddMetadata(composite, ByteBufAllocator.DEFAULT, WellKnownMimeType.MESSAGE_RSOCKET_ROUTING, routing);
        CompositeMetadataCodec.encodeAndAddMetadata(composite, ByteBufAllocator.DEFAULT, "application/x.unrelated",
                Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        try {
            assertThat(ParleyMetadataCodec.decodeRequest(composite, true))
                    .isEqualTo(new ParleyMetadataCodec.Request("orders.place", 0, 0));
        }
        finally {
            composite.release();
        }
    }

    @Test
    void decodeRequest_routingSpelledOutAsAString_isReadToo() {
        CompositeByteBuf composite = ByteBufAllocator.DEFAULT.compositeBuffer();
        ByteBuf routing = TaggingMetadataCodec.createRoutingMetadata(ByteBufAllocator.DEFAULT, List.of("echo")).getContent();
        CompositeMetadataCodec.encodeAndAddMetadata(composite, ByteBufAllocator.DEFAULT, "message/x.rsocket.routing.v0", routing);
        try {
            assertThat(ParleyMetadataCodec.decodeRequest(composite, true).method()).isEqualTo("echo");
        }
        finally {
            composite.release();
        }
    }

    @Test
    void decodeRequest_bareRoutingMetadata_whenSetupSaidSo() {
        ByteBuf routing = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("046563686f"));
        assertThat(ParleyMetadataCodec.decodeRequest(routing, false)).isEqualTo(new ParleyMetadataCodec.Request("echo", 0, 0));
    }

    @Test
    void decodeRequest_unsignedTimeout_readsUpTo0xFFFFFFFF() {
        ByteBuf buf = ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "m", Long.MIN_VALUE, 0xFFFF_FFFFL);
        try {
            ParleyMetadataCodec.Request request = ParleyMetadataCodec.decodeRequest(buf, true);
            assertThat(request.callId()).isEqualTo(Long.MIN_VALUE);
            assertThat(request.timeoutMillis()).isEqualTo(0xFFFF_FFFFL);
        }
        finally {
            buf.release();
        }
    }

    @Test
    void decodeRequest_noRoute_isMalformed() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("17" + hex("message/x.parley.call.v0")
                + "00000c" + "0000000000000001" + "00000000"));
        assertThatThrownBy(() -> ParleyMetadataCodec.decodeRequest(buf, true))
                .isInstanceOf(ParleyMetadataCodec.MalformedMetadataException.class)
                .hasMessageContaining("no route");
    }

    @Test
    void decodeRequest_entryRunningPastTheEnd_isMalformed() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("fe0000ff046563686f"));
        assertThatThrownBy(() -> ParleyMetadataCodec.decodeRequest(buf, true))
                .isInstanceOf(ParleyMetadataCodec.MalformedMetadataException.class)
                .hasMessageContaining("runs past the end");
    }

    @Test
    void decodeRequest_callEntryOfTheWrongLength_isMalformed() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("fe000005046563686f"
                + "17" + hex("message/x.parley.call.v0") + "000004" + "00000001"));
        assertThatThrownBy(() -> ParleyMetadataCodec.decodeRequest(buf, true))
                .isInstanceOf(ParleyMetadataCodec.MalformedMetadataException.class)
                .hasMessageContaining("expected: 12");
    }

    @Test
    void decodeRequest_emptyRoutingTag_isMalformed() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("fe00000100"));
        assertThatThrownBy(() -> ParleyMetadataCodec.decodeRequest(buf, true))
                .isInstanceOf(ParleyMetadataCodec.MalformedMetadataException.class);
    }

    @Test
    void decodeCancel_readsEveryCallIdOfEveryEntry_andSkipsOthers() {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("fe000005046563686f"
                + "19" + hex("message/x.parley.cancel.v0") + "000010" + "0000000000000007" + "ffffffffffffffff"
                + CANCEL_HEX));
        List<Long> ids = new ArrayList<>();
        ParleyMetadataCodec.decodeCancel(buf, ids::add);
        assertThat(ids).containsExactly(7L, -1L, 1L);
    }

    @Test
    void encodeRequest_methodNameOver255Bytes_isRejected() {
        assertThatThrownBy(() -> ParleyMetadataCodec.encodeRequest(ByteBufAllocator.DEFAULT, "x".repeat(256), 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: 1 to 255");
    }
}
