package io.parley.examples.asyncfunc;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketClientTransport;

/**
 * Serves {@link AsyncFunc} over RSocket TCP on loopback and calls it three times with
 * {@link AsyncFuncClient}: once to completion, once cancelled abortively, once cancelled
 * gracefully. Server and client run in this one JVM but meet only through the socket, so every
 * cancel crosses the wire as it would between two machines.
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package
 * }</pre>
 *
 * <p>Each call's outcome is checked on both sides; the program exits with status 1 if one is not
 * what MS-RPC's call model says it should be. {@link AsyncFuncServer} and {@link AsyncFuncCaller}
 * are the two halves as separate programs.
 */
public final class AsyncFuncDemo {

    /** The address the demo's server binds to: loopback, on any free port. */
    static final String HOST = "127.0.0.1";

    /** How long to wait for the server's side of a call to end once the client's has. */
    private static final Duration SERVER_WAIT = Duration.ofSeconds(5);

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("(a) AsyncFunc(500 ms), not cancelled",
                    500, null, CancelMode.ABORTIVE, RpcStatus.OK, AsyncFunc.REPLY, RpcStatus.OK),
            new Scenario("(b) AsyncFunc(3000 ms), cancelled abortively after 300 ms",
                    3000, Duration.ofMillis(300), CancelMode.ABORTIVE, RpcStatus.CALL_CANCELLED, null, RpcStatus.CALL_CANCELLED),
            new Scenario("(c) AsyncFunc(3000 ms), cancelled gracefully after 300 ms",
                    3000, Duration.ofMillis(300), CancelMode.GRACEFUL, RpcStatus.OK, AsyncFunc.REPLY, RpcStatus.OK));

    private AsyncFuncDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args none; blank arguments, as a build tool may pass, are ignored
     */
    public static void main(String[] args) {
        for (String arg : args) {
            if (!arg.isBlank()) {
                System.err.println("AsyncFuncDemo takes no arguments; got '" + arg + "'");
                System.exit(2);
            }
        }
        if (!run(new AsyncFunc(), System.out)) {
            System.exit(1);
        }
    }

    /** Serves {@code asyncFunc} on TCP, runs every scenario against it; true if all ended as expected. */
    static boolean run(AsyncFunc asyncFunc, PrintStream out) {
        ParleyServer server = AsyncFuncServer.start(HOST, 0, asyncFunc);
        ParleyClient client;
        try {
            client = ParleyClient.builder()
                    .transport(RSocketClientTransport.tcp(HOST, AsyncFuncServer.port(server)))
                    .build();
        }
        catch (RuntimeException e) {
            server.dispose();
            throw e;
        }
        out.printf("server: AsyncFunc served over RSocket TCP on %s%n", server.address());
        out.flush();
        try {
            AsyncFuncClient caller = new AsyncFuncClient(client, out);
            boolean allAsExpected = true;
            for (Scenario scenario : SCENARIOS) {
                allAsExpected &= scenario.run(caller, asyncFunc, out);
            }
            return allAsExpected;
        }
        finally {
            client.dispose();
            server.dispose();
        }
    }

    /** One call, and what both sides should report at its end. */
    private record Scenario(String title, long delayMillis, @Nullable Duration cancelAfter, CancelMode mode,
            RpcStatus clientStatus, @Nullable Integer reply, RpcStatus serverStatus) {

        boolean run(AsyncFuncClient caller, AsyncFunc asyncFunc, PrintStream out) {
            out.printf("%n== %s ==%n", title);
            out.flush();
            // Subscribed before the call, so the server's end of this call cannot be missed.
            CompletableFuture<RpcStatus> served = asyncFunc.completions().next().toFuture();
            Duration after = cancelAfter;
            AsyncFuncClient.Result result = after == null
                    ? caller.call(delayMillis)
                    : caller.callAndCancel(delayMillis, after, mode);
            // The server may still be sleeping after an abortive cancel; the next call waits for
            // it so that the two calls' output does not interleave.
            RpcStatus serverEnded = await(served, out);

            boolean asExpected = result.status().equals(clientStatus)
                    && Objects.equals(result.reply(), reply)
                    && serverStatus.equals(serverEnded);
            if (asExpected) {
                out.printf("-> as expected: client %s, server %s%n", result.status(), serverEnded);
            }
            else {
                out.printf("-> UNEXPECTED: client %s with reply %s (expected %s with reply %s), server %s (expected %s)%n",
                        result.status(), result.reply(), clientStatus, reply, serverEnded, serverStatus);
            }
            out.flush();
            return asExpected;
        }

        private static @Nullable RpcStatus await(CompletableFuture<RpcStatus> served, PrintStream out) {
            try {
                return served.get(SERVER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (TimeoutException e) {
                out.printf("server: AsyncFunc did not return within %d ms%n", SERVER_WAIT.toMillis());
                return null;
            }
            catch (ExecutionException e) {
                out.printf("server: %s%n", e.getCause());
                return null;
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
