package io.parley.examples.asyncfunc;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ParleyClient;
import io.parley.rsocket.RSocketClientTransport;

/**
 * Calls {@code AsyncFunc} on a server over RSocket TCP, such as {@link AsyncFuncServer}, once:
 * to completion, or cancelled abortively or gracefully after a while. It prints every status the
 * call's handle returns by name and number, as {@link AsyncFuncDemo} does.
 *
 * <pre>{@code
 * mvn -q -pl examples exec:java@caller -Dexec.args="--port 7000 --delay 3000 --cancel-after 1000"
 * mvn -q -pl examples exec:java@caller -Dexec.args="--port 7000 --delay 3000 --cancel-after 1000 --graceful"
 * }</pre>
 *
 * <p>The cancel clock starts as the call is made, before a new JVM has connected (which takes a
 * few hundred milliseconds); a cancel that comes first still ends the call as the call model
 * says, but before the server has seen it.
 *
 * <p>Exit status 0 when the call ends as MS-RPC's call model says it should: {@code RPC_S_OK} with
 * reply 1, or {@code RPC_S_CALL_CANCELLED} after an abortive cancel; 1 otherwise (a server that
 * cannot be reached gives {@code RPC_S_SERVER_UNAVAILABLE (1722)}); 2 for a bad command line.
 */
public final class AsyncFuncCaller {

    /** The delay asked for when none is given, in milliseconds. */
    public static final long DEFAULT_DELAY = 500;

    static final String USAGE = "usage: AsyncFuncCaller [--host HOST] [--port PORT] [--delay MS] [--cancel-after MS [--graceful]]\n"
            + "  --host HOST         the server's host (default " + AsyncFuncServer.DEFAULT_HOST + ")\n"
            + "  --port PORT         the server's TCP port (default " + AsyncFuncServer.DEFAULT_PORT + ")\n"
            + "  --delay MS          how long AsyncFunc sleeps before it completes (default " + DEFAULT_DELAY + ")\n"
            + "  --cancel-after MS   cancel the call if it has not ended after MS milliseconds\n"
            + "  --graceful          cancel gracefully: the server winds down and the reply still arrives\n"
            + "                      (default: abortively, the call ends at once with RPC_S_CALL_CANCELLED)";

    private AsyncFuncCaller() {
    }

    /**
     * Makes the call and exits with its verdict.
     *
     * @param args the options, as {@link #USAGE} lists them
     */
    public static void main(String[] args) {
        // Always an explicit exit: the status is the program's answer, also under exec:java.
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Makes the call the command line describes.
     *
     * @return the exit status: 0 as expected, 1 not, 2 a bad command line
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (CommandLine.UsageException e) {
            err.println("AsyncFuncCaller: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(USAGE);
            return 0;
        }

        ParleyClient client = ParleyClient.builder()
                .transport(RSocketClientTransport.tcp(options.host(), options.port()))
                .build();
        try {
            out.printf("client: connecting to %s:%d over RSocket TCP%n", options.host(), options.port());
            AsyncFuncClient caller = new AsyncFuncClient(client, out);
            Duration cancelAfter = options.cancelAfter();
            AsyncFuncClient.Result result = cancelAfter == null
                    ? caller.call(options.delay())
                    : caller.callAndCancel(options.delay(), cancelAfter, options.mode());
            return verdict(result, options, out);
        }
        finally {
            client.dispose();
        }
    }

    private static int verdict(AsyncFuncClient.Result result, Options options, PrintStream out) {
        // A cancel that came after the outcome did not happen: the call then ended as if never cancelled.
        boolean cancelledAbortively = options.mode() == CancelMode.ABORTIVE && RpcStatus.OK.equals(result.cancel());
        RpcStatus expected = cancelledAbortively ? RpcStatus.CALL_CANCELLED : RpcStatus.OK;
        @Nullable Integer expectedReply = cancelledAbortively ? null : AsyncFunc.REPLY;
        if (result.status().equals(expected) && Objects.equals(result.reply(), expectedReply)) {
            out.printf("-> as expected: %s%s%n", result.status(), expectedReply != null ? ", reply " + expectedReply : "");
            out.flush();
            return 0;
        }
        out.printf("-> UNEXPECTED: %s with reply %s (expected %s with reply %s)%n",
                result.status(), result.reply(), expected, expectedReply);
        if (result.status() == RpcStatus.SERVER_UNAVAILABLE) {
            out.printf("   is AsyncFuncServer running on %s:%d?%n", options.host(), options.port());
        }
        out.flush();
        return 1;
    }

    /** The caller's command line. */
    record Options(String host, int port, long delay, @Nullable Duration cancelAfter, CancelMode mode, boolean help) {

        static Options parse(String[] args) {
            CommandLine line = CommandLine.parse(args,
                    Set.of("--host", "--port", "--delay", "--cancel-after"), Set.of("--graceful", "--help", "-h"));
            String host = line.string("--host", AsyncFuncServer.DEFAULT_HOST);
            if (host.isBlank()) {
                throw new CommandLine.UsageException("--host: empty");
            }
            int port = (int) line.number("--port", AsyncFuncServer.DEFAULT_PORT, 1, 65535);
            long delay = line.number("--delay", DEFAULT_DELAY, 0, AsyncFuncClient.MAX_DELAY);
            @Nullable Duration cancelAfter = line.has("--cancel-after")
                    ? Duration.ofMillis(line.number("--cancel-after", 0, 1, AsyncFuncClient.MAX_DELAY))
                    : null;
            boolean graceful = line.has("--graceful");
            if (graceful && cancelAfter == null) {
                throw new CommandLine.UsageException("--graceful needs --cancel-after");
            }
            return new Options(host, port, delay, cancelAfter, graceful ? CancelMode.GRACEFUL : CancelMode.ABORTIVE,
                    line.has("--help") || line.has("-h"));
        }
    }
}
