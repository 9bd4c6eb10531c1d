package io.parley.examples.asyncfunc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;

/** The demo, the server and the caller programs over RSocket TCP on loopback. */
class AsyncFuncTcpTest {

    private static final Duration SERVER_WAIT = Duration.ofSeconds(5);

    private final ByteArrayOutputStream serverBytes = new ByteArrayOutputStream();
    private final PrintStream serverOut = new PrintStream(serverBytes, true, StandardCharsets.UTF_8);
    private final AsyncFunc asyncFunc = new AsyncFunc(serverOut, serverOut);
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private ParleyServer server;

    @AfterEach
    void dispose() {
        if (server != null) {
            server.dispose();
        }
    }

    @Test
    void demo_overTcp_allThreeScenariosEndAsExpected() {
        boolean asExpected = AsyncFuncDemo.run(asyncFunc, out);

        assertThat(asExpected).as(output()).isTrue();
        assertThat(output())
                .containsPattern("server: AsyncFunc served over RSocket TCP on 127\\.0\\.0\\.1:\\d+")
                .contains("-> as expected: client RPC_S_OK (0), server RPC_S_OK (0)")
                .contains("-> as expected: client RPC_S_CALL_CANCELLED (1818), server RPC_S_CALL_CANCELLED (1818)")
                .contains("cancel(abortive) -> RPC_S_OK (0)")
                .contains("cancel(graceful) -> RPC_S_OK (0)")
                .doesNotContain("UNEXPECTED");
        assertThat(serverOutput())
                .contains("RpcAsyncCompleteCall returned 0x71a (RPC_S_CALL_CANCELLED)")
                .contains("AsyncFunc has been canceled!!!");
    }

    @Test
    void caller_notCancelled_printsOkWithReplyOne_exitsZero() {
        server = AsyncFuncServer.start("127.0.0.1", 0, asyncFunc);
        CompletableFuture<RpcStatus> served = asyncFunc.completions().next().toFuture();

        int exit = AsyncFuncCaller.run(args("--delay", "200"), out, err);

        assertThat(exit).as(output()).isZero();
        assertThat(output())
                .contains("client: status()         -> RPC_S_ASYNC_CALL_PENDING (997)")
                .contains("client: complete()       -> RPC_S_OK (0), reply 1")
                .contains("-> as expected: RPC_S_OK (0), reply 1");
        assertThat(served).succeedsWithin(SERVER_WAIT).isEqualTo(RpcStatus.OK);
    }

    @Test
    void caller_cancelledAbortively_printsCallCancelled_exitsZero() {
        server = AsyncFuncServer.start("127.0.0.1", 0, asyncFunc);

        int exit = AsyncFuncCaller.run(args("--delay", "3000", "--cancel-after", "300"), out, err);

        assertThat(exit).as(output()).isZero();
        assertThat(output())
                .contains("client: cancel(abortive) -> RPC_S_OK (0)")
                .contains("client: complete()       -> RPC_S_CALL_CANCELLED (1818)")
                .contains("-> as expected: RPC_S_CALL_CANCELLED (1818)");
    }

    @Test
    void caller_cancelledGracefully_serverSeesCancel_replyStillArrives_exitsZero() {
        server = AsyncFuncServer.start("127.0.0.1", 0, asyncFunc);
        CompletableFuture<RpcStatus> served = asyncFunc.completions().next().toFuture();

        int exit = AsyncFuncCaller.run(args("--delay", "3000", "--cancel-after", "300", "--graceful"), out, err);

        assertThat(exit).as(output()).isZero();
        assertThat(output())
                .contains("client: cancel(graceful) -> RPC_S_OK (0)")
                .contains("client: complete()       -> RPC_S_OK (0), reply 1")
                .contains("-> as expected: RPC_S_OK (0), reply 1");
        assertThat(served).succeedsWithin(SERVER_WAIT).isEqualTo(RpcStatus.OK);
        assertThat(serverOutput()).contains("AsyncFunc has been canceled!!!").doesNotContain("(100%)");
    }

    @Test
    void caller_noServer_printsServerUnavailable_exitsOne() throws IOException {
        int port;
        // A port that was free a moment ago and has nobody listening now.
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        int exit = AsyncFuncCaller.run(new String[] { "--port", Integer.toString(port) }, out, err);

        assertThat(exit).isEqualTo(1);
        assertThat(output())
                .contains("client: complete()       -> RPC_S_SERVER_UNAVAILABLE (1722)")
                .contains("-> UNEXPECTED")
                .contains("is AsyncFuncServer running on 127.0.0.1:" + port + "?");
    }

    @ParameterizedTest
    @ValueSource(strings = { "--port x", "--port 0", "--port 70000", "--delay", "--delay -5", "--cancel-after 0",
            "--graceful", "--delay 10 --delay 20", "--verbose", "7000", "--graceful=yes --cancel-after 5" })
    void caller_badArguments_printUsage_exitTwo(String line) {
        int exit = AsyncFuncCaller.run(line.split(" "), out, err);

        assertThat(exit).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).startsWith("AsyncFuncCaller: ").contains("usage: AsyncFuncCaller");
        assertThat(output()).isEmpty();
    }

    @Test
    void caller_optionsWithEqualsAndBlankArguments_areRead() {
        AsyncFuncCaller.Options options = AsyncFuncCaller.Options.parse(
                new String[] { "", "--host=localhost", "--port=7001", " ", "--delay", "900", "--cancel-after=50", "--graceful" });

        assertThat(options.host()).isEqualTo("localhost");
        assertThat(options.port()).isEqualTo(7001);
        assertThat(options.delay()).isEqualTo(900);
        assertThat(options.cancelAfter()).isEqualTo(Duration.ofMillis(50));
        assertThat(options.mode()).isEqualTo(io.parley.core.client.CancelMode.GRACEFUL);
    }

    @Test
    void server_options_defaultsAndBadValues() {
        AsyncFuncServer.Options defaults = AsyncFuncServer.Options.parse(new String[] { "" });
        assertThat(defaults.host()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isEqualTo(7000);

        AsyncFuncServer.Options given = AsyncFuncServer.Options.parse(new String[] { "--host", "0.0.0.0", "--port", "0" });
        assertThat(given.host()).isEqualTo("0.0.0.0");
        assertThat(given.port()).isZero();

        for (String line : new String[] { "--port -1", "--port 65536", "--port", "--delay 5", "--host" }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AsyncFuncServer.Options.parse(line.split(" ")))
                    .as(line)
                    .isInstanceOf(CommandLine.UsageException.class);
        }
    }

    /** The caller's command line for the server under test. */
    private String[] args(String... options) {
        String[] all = new String[options.length + 2];
        all[0] = "--port";
        all[1] = Integer.toString(AsyncFuncServer.port(server));
        System.arraycopy(options, 0, all, 2, options.length);
        return all;
    }

    private String output() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String serverOutput() {
        return serverBytes.toString(StandardCharsets.UTF_8);
    }
}
