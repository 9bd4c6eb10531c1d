package io.parley.rsocket;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.util.ReferenceCounted;

/** The data of outgoing frames. */
final class Payloads {

    private Payloads() {
    }

    /**
     * The bytes as a buffer a socket writes without another copy. A codec's direct buffer is
     * wrapped as it is; a heap one is copied once into pooled direct memory. Wrapped, a heap
     * buffer would make the whole frame's composite buffer heap, which the native transport
     * first gathers into a new heap buffer and then copies again into direct memory.
     */
    static ByteBuf direct(ByteBuffer bytes) {
        if (bytes.isDirect() || !bytes.hasRemaining()) {
            return Unpooled.wrappedBuffer(bytes);
        }
        return copy(bytes);
    }

    /**
     * A reply's bytes, which may be a view of the request's ({@code BytesCodec} decodes a
     * {@code ByteBuffer} so): a direct buffer is sent as it is and keeps the request until the
     * frame carrying it is written; a heap one is copied into pooled direct memory, as by
     * {@link #direct}, and needs the request no longer.
     */
    static ByteBuf reply(ByteBuffer bytes, ReferenceCounted request) {
        if (!bytes.isDirect() || !bytes.hasRemaining()) {
            return direct(bytes);
        }
        if (bytes.isReadOnly()) {
            return copy(bytes);
        }
        return new Holding(bytes, request.retain());
    }

    private static ByteBuf copy(ByteBuffer bytes) {
        int length = bytes.remaining();
        ByteBuf copy = ByteBufAllocator.DEFAULT.directBuffer(length, length);
        if (bytes.hasArray()) {
            // From the array itself: a duplicate of the buffer would be one more object per call.
            copy.writeBytes(bytes.array(), bytes.arrayOffset() + bytes.position(), length);
        }
        else {
            copy.writeBytes(bytes.duplicate());
        }
        return copy;
    }

    /** Direct memory that is not its own: it gives back the buffer it belongs to when released. */
    private static final class Holding extends UnpooledDirectByteBuf {

        private final ReferenceCounted owner;

        Holding(ByteBuffer bytes, ReferenceCounted owner) {
            super(UnpooledByteBufAllocator.DEFAULT, bytes, bytes.remaining());
            this.owner = owner;
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            owner.release();
        }
    }
}
