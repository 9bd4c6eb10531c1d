package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.test.NettyLeakDetection;
import reactor.blockhound.BlockingOperationError;

/**
 * Over TCP a handler runs on the Netty event loop that read its request, and BlockHound watches
 * that loop: a handler that blocks there is caught, one marked blocking runs elsewhere.
 */
@ExtendWith(NettyLeakDetection.class)
class EventLoopBlockingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicReference<Throwable> caught = new AtomicReference<>();
    private final AtomicReference<String> thread = new AtomicReference<>();
    private ParleyServer server;
    private ParleyClient client;

    private void waitBlocking(String request, AsyncCall<String> call) throws InterruptedException {
        thread.set(Thread.currentThread().getName());
        try {
            new CountDownLatch(1).await(1, TimeUnit.MILLISECONDS);
        }
        catch (BlockingOperationError e) {
            caught.set(e);
            throw e;
        }
        call.complete("woke up");
    }

    private void start(ServerMethod<String, String> method) {
        server = ParleyServer.builder().method(method).transport(RSocketServerTransport.tcp("127.0.0.1", 0)).bindNow();
        client = ParleyClient.builder().transport(RSocketClientTransport.tcp("127.0.0.1", RSocketFixture.port(server))).build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
    }

    @Test
    void handlerBlockingTheEventLoop_isCaughtByBlockHound_andTheCallFails() {
        start(ServerMethod.async("wait", String.class, this::waitBlocking));

        RpcFault fault = null;
        try {
            client.call("wait", "x", String.class).block(TIMEOUT);
        }
        catch (RpcFault f) {
            fault = f;
        }
        assertThat(caught.get()).isInstanceOf(BlockingOperationError.class);
        assertThat(fault).isNotNull();
        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(thread.get()).contains("reactor-tcp");
    }

    @Test
    void handlerMarkedBlocking_runsOffTheEventLoop_andIsNotCaught() {
        start(ServerMethod.async("wait", String.class, this::waitBlocking).blocking());

        assertThat(client.call("wait", "x", String.class).block(TIMEOUT)).isEqualTo("woke up");
        assertThat(caught.get()).isNull();
        assertThat(thread.get()).startsWith("boundedElastic-");
    }
}
