package io.parley.examples.asyncfunc;

import java.util.Set;

import io.parley.core.server.ParleyServer;
import io.parley.rsocket.RSocketServerTransport;

/**
 * Serves {@link AsyncFunc} over RSocket TCP until the process is stopped, for
 * {@link AsyncFuncCaller} or any RSocket client to call.
 *
 * <pre>{@code
 * mvn -q -DskipTests install
 * mvn -q -pl examples exec:java@server -Dexec.args="--port 7000"
 * }</pre>
 *
 * <p>Options: {@code --host} (default {@value #DEFAULT_HOST}) and {@code --port} (default
 * {@value #DEFAULT_PORT}; 0 for any free one). Ctrl-C stops it: a shutdown hook closes the
 * server, whose open calls are cancelled. Exit status 2 for a bad command line, 1 if the address
 * cannot be bound.
 */
public final class AsyncFuncServer {

    /** The address bound when none is given: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** The port bound when none is given. */
    public static final int DEFAULT_PORT = 7000;

    static final String USAGE = "usage: AsyncFuncServer [--host HOST] [--port PORT]\n"
            + "  --host HOST   the address to bind (default " + DEFAULT_HOST + ")\n"
            + "  --port PORT   the TCP port, 0 for any free one (default " + DEFAULT_PORT + ")";

    private AsyncFuncServer() {
    }

    /**
     * Serves {@code AsyncFunc} until the process is stopped.
     *
     * @param args the options, as the class describes them
     */
    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        }
        catch (CommandLine.UsageException e) {
            System.err.println("AsyncFuncServer: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(USAGE);
            return;
        }

        ParleyServer server;
        try {
            server = start(options.host(), options.port(), new AsyncFunc());
        }
        catch (RuntimeException e) {
            // A port in use or an address not on this machine: say which, without a stack trace.
            System.err.println("AsyncFuncServer: cannot serve on " + options.host() + ":" + options.port() + ": " + rootMessage(e));
            System.exit(1);
            return;
        }
        // Ctrl-C runs shutdown hooks; closing the server there ends the wait below and cancels
        // the calls still open, so no client is left waiting on a half-closed connection.
        Runtime.getRuntime().addShutdownHook(new Thread(server::dispose, "asyncfunc-server-shutdown"));
        System.out.println("AsyncFunc served over RSocket TCP on " + server.address() + "; Ctrl-C stops it");
        System.out.flush();
        server.onDispose().block();
    }

    /**
     * Binds a server of {@code asyncFunc} on TCP.
     *
     * @param host the address to bind
     * @param port the port, or 0 for any free one
     * @param asyncFunc the routine to serve
     * @return the bound server; {@link #port(ParleyServer)} tells its port
     */
    static ParleyServer start(String host, int port, AsyncFunc asyncFunc) {
        return ParleyServer.builder()
                .method(asyncFunc.method())
                .transport(RSocketServerTransport.tcp(host, port))
                .bindNow();
    }

    /** The port a TCP server is bound to, read from its {@code host:port} address. */
    static int port(ParleyServer server) {
        String address = server.address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }

    /** The server's command line. */
    record Options(String host, int port, boolean help) {

        static Options parse(String[] args) {
            CommandLine line = CommandLine.parse(args, Set.of("--host", "--port"), Set.of("--help", "-h"));
            String host = line.string("--host", DEFAULT_HOST);
            if (host.isBlank()) {
                throw new CommandLine.UsageException("--host: empty");
            }
            int port = (int) line.number("--port", DEFAULT_PORT, 0, 65535);
            return new Options(host, port, line.has("--help") || line.has("-h"));
        }
    }
}
