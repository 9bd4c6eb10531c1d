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
import io.rsocket.metadata.CompositeMetadataCodec;
import io.rsocket.metadata.TaggingMetadataCodec;
import io.rsocket.metadata.WellKnownMimeType;

/** The metadata of docs/wire-protocol.md, byte for byte. */
@ExtendWith(LeakDetection.class)
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
