package io.parley.core.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.ParleyClient;
import io.parley.core.transport.InProcessTransport;
import reactor.blockhound.BlockingOperationError;

/**
 * The seed's {@code Sleep()} inside AsyncFunc: a handler that blocks is caught by BlockHound on
 * the receiving (non-blocking) thread, and runs untroubled when its method is marked blocking.
 */
class BlockingMethodTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final AtomicReference<Throwable> caught = new AtomicReference<>();
    private final AtomicReference<String> thread = new AtomicReference<>();
    private ParleyServer server;
    private ParleyClient client;

    /** Waits a millisecond the blocking way, as a handler that calls a blocking API would. */
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

    private void start(ServerMethod<String, String> method, String name) {
        server = ParleyServer.builder().method(method).transport(InProcessTransport.server(name)).bindNow();
        client = ParleyClient.builder().transport(InProcessTransport.client(name)).build();
    }

    @AfterEach
    void stop() {
        client.dispose();
        server.dispose();
    }

    @Test
    void nonBlockingMethodThatBlocks_isReportedByBlockHound_andTheCallFails() {
        start(ServerMethod.async("wait", String.class, this::waitBlocking), "blocking-not-marked");

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
        assertThat(thread.get()).startsWith("parallel-");
    }

    @Test
    void theSameHandlerMarkedBlocking_runsOnBoundedElastic_andIsNotReported() {
        start(ServerMethod.async("wait", String.class, this::waitBlocking).blocking(), "blocking-marked");

        assertThat(client.call("wait", "x", String.class).block(TIMEOUT)).isEqualTo("woke up");
        assertThat(caught.get()).isNull();
        assertThat(thread.get()).startsWith("boundedElastic-");
    }
}
