package io.parley.rsocket;

import java.nio.ByteBuffer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

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
}
