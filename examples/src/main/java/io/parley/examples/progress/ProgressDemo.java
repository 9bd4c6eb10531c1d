package io.parley.examples.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcStatus;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import reactor.core.publisher.Sinks;

/**
 * Serves {@link ProgressJob} over RSocket TCP on loopback and streams three jobs through the
 * socket, with the MS-RPC style handle {@link ClientStream}: one to its end, one cancelled
 * gracefully after three progress items (the job stops, and its summary still arrives: the
 * stream ends {@code RPC_S_OK}), one cancelled abortively after three (the stream ends at once
 * with {@code RPC_S_CALL_CANCELLED}; the server sees the cancel and its summary is dropped).
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.progress.ProgressDemo
 * }</pre>
 *
 * <p>Each stream's end is checked on both sides; the program exits with status 1 if one is not
 * what the call model says it should be.
 */
public final class ProgressDemo {

    /** The address the demo's server binds to: loopback, on any free port. */
    static final String HOST = "127.0.0.1";

    /** The longest the demo waits for anything: an item, a stream's end, the server's outcome. */
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("(a) 5 steps of 100 ms, not cancelled", new Job(5, 100), 0, null,
                    RpcStatus.OK, Progress.Phase.COMPLETED, RpcStatus.OK),
            new Scenario("(b) 100 steps of 100 ms, cancelled gracefully after 3 progress items", new Job(100, 100), 3,
                    CancelMode.GRACEFUL, RpcStatus.OK, Progress.Phase.CANCELLED, RpcStatus.OK),
            new Scenario("(c) 100 steps of 100 ms, cancelled abortively after 3 progress items", new Job(100, 100), 3,
                    CancelMode.ABORTIVE, RpcStatus.CALL_CANCELLED, null, RpcStatus.CALL_CANCELLED));

    private ProgressDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args none; blank arguments, as a build tool may pass, are ignored
     */
    public static void main(String[] args) {
        for (String arg : args) {
            if (!arg.isBlank()) {
                System.err.println("ProgressDemo takes no arguments; got '" + arg + "'");
                System.exit(2);
            }
        }
        System.exit(run(new ProgressJob(), System.out) ? 0 : 1);
    }

    /** Serves {@code job} on TCP, runs every scenario against it; true if all ended as expected. */
    static boolean run(ProgressJob job, PrintStream out) {
        ParleyServer server = start(HOST, 0, job);
        try {
            ParleyClient client = ParleyClient.builder()
                    .transport(RSocketClientTransport.tcp(HOST, port(server)))
                    .build();
            out.printf("server: %s served over RSocket TCP on %s%n", ProgressJob.NAME, server.address());
            try {
                boolean allAsExpected = true;
                for (Scenario scenario : SCENARIOS) {
                    allAsExpected &= scenario.run(client, job, out);
                }
                return allAsExpected;
            }
            finally {
                client.dispose();
            }
        }
        finally {
            server.dispose();
        }
    }

    /**
     * Serves a {@link ProgressJob} over RSocket TCP.
     *
     * @param host the address to bind
     * @param port the port, or 0 for any free one
     * @param job the job to serve
     * @return the bound server
     */
    static ParleyServer start(String host, int port, ProgressJob job) {
        return ParleyServer.builder()
                .method(job.method())
                .transport(RSocketServerTransport.tcp(host, port))
                .bindNow();
    }

    /** The port a TCP server is bound to, read from its {@code host:port} address. */
    static int port(ParleyServer server) {
        String address = server.address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /**
     * One stream, and what both sides should report at its end.
     *
     * @param cancelAfter how many items to receive before cancelling, if {@code mode} is set
     * @param mode how to cancel, or {@code null} not to
     * @param lastPhase the phase of the last item the client receives: the summary's, or
     *        {@code null} for an abortive cancel, after which the last item is a report
     */
    private record Scenario(String title, Job job, int cancelAfter, @Nullable CancelMode mode, RpcStatus clientStatus,
            Progress.@Nullable Phase lastPhase, RpcStatus serverEnded) {

        boolean run(ParleyClient client, ProgressJob progressJob, PrintStream out) {
            out.printf("%n== %s ==%n", title);
            ClientStream<Progress> stream = client.startStream(ProgressJob.NAME, job, Progress.class);
            Queue<Progress> items = new ConcurrentLinkedQueue<>();
            Sinks.Empty<Void> enough = Sinks.empty();
            stream.items().subscribe(item -> {
                items.add(item);
                out.printf("client: item %s%n", item);
                if (items.size() == cancelAfter) {
                    enough.tryEmitEmpty();
                }
            }, error -> out.printf("client: the stream failed: %s%n", error.getMessage()));
            CancelMode m = mode;
            if (m != null) {
                enough.asMono().block(WAIT);
                out.printf("client: cancel(%s) -> %s%n", m.name().toLowerCase(Locale.ROOT), stream.cancel(m));
            }
            RpcStatus status = stream.completion().block(WAIT);
            out.printf("client: status() -> %s, %d items; complete() -> %s%n", status, stream.received(), stream.complete());

            ProgressJob.Outcome served = progressJob.outcomes().filter(o -> o.callId() == stream.id()).next().block(WAIT);
            if (served != null) {
                out.printf("server: %d of %d steps, %d reported; testCancel() -> %s; complete(summary) -> %s%n",
                        served.stepsDone(), job.steps(), served.reported(), served.testCancel(), served.ended());
            }
            Progress last = items.stream().reduce((a, b) -> b).orElse(null);
            boolean asExpected = clientStatus.equals(status)
                    && last != null
                    && (lastPhase == null ? !last.isSummary() : last.phase() == lastPhase)
                    && served != null
                    && serverEnded.equals(served.ended())
                    && (mode == null ? served.stepsDone() == job.steps() : served.testCancel() == RpcStatus.OK);
            if (asExpected) {
                out.printf("-> as expected%n");
            }
            else {
                out.printf("-> UNEXPECTED: client %s, last item %s, server %s (expected client %s, last item %s, server %s)%n",
                        status, last, served, clientStatus, lastPhase == null ? "a report" : lastPhase, serverEnded);
            }
            return asExpected;
        }
    }
}
