package io.parley.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

/** A buffer dropped without its release fails the class that dropped it; a clean class passes. */
class NettyLeakDetectionTest {

    private static final ExtensionContext CONTEXT = (ExtensionContext) Proxy.newProxyInstance(
            NettyLeakDetectionTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.class},
            (proxy, method, args) -> {
                if (method.getName().equals("getDisplayName")) {
                    return "LeakingClass";
                }
                throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void aDroppedBufferFailsTheClass_thenTheNextClassIsClean() {
        NettyLeakDetection detection = new NettyLeakDetection();
        leakOne();

        assertThatThrownBy(() -> detection.afterAll(CONTEXT))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("buffer leak(s) reported by Netty's detector during LeakingClass")
                .hasMessageContaining("leakOne");

        detection.afterAll(CONTEXT);
    }

    @Test
    void rsocketsOwnSetupFrameIsKnownByWhereItWasMade() {
        assertThat(NettyLeakDetection.isRSocketClientSetupFrame("Recent access records:\nCreated at:\n"
                + "\tio.rsocket.frame.SetupFrameCodec.encode(SetupFrameCodec.java:65)\n"
                + "\tio.rsocket.core.RSocketConnector.lambda$connect$2(RSocketConnector.java:600)")).isTrue();
        assertThat(NettyLeakDetection.isRSocketClientSetupFrame("Recent access records:\nCreated at:\n"
                + "\tio.parley.rsocket.ParleyMetadataCodec.encode(ParleyMetadataCodec.java:10)")).isFalse();
    }

    private static void leakOne() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(16);
        buffer.writeInt(42);
    }
}
