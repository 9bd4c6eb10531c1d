package io.parley.examples.smoke;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import io.parley.core.client.ParleyClient;
import io.parley.core.codec.BytesCodec;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.SocketAcceptor;
import io.rsocket.core.RSocketConnector;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.rsocket.util.ByteBufPayload;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Measures, in one JVM on loopback TCP, how many calls per second a Parley echo completes against
 * a bare RSocket-Java request-response echo: 64-byte payloads, 64 calls in flight in a closed
 * loop (each of 64 callers starts its next call when its last one ends). Each side is warmed up,
 * then measured; the pair is measured twice, so that a second look shows how steady the numbers
 * are.
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.smoke.ThroughputSmoke
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.smoke.ThroughputSmoke -Ddemo.args="--warmup 2 --measure 3"
 * }</pre>
 *
 * <p>Both sides use zero-copy payloads. The Parley echo pays for what a Parley call is: its
 * composite metadata (route, call id), the server's call bookkeeping, the {@code BytesCodec}
 * copy of request and reply. The bare echo sends no metadata. A smoke measure on a shared
 * machine, not a benchmark: client and server share the cores.
 */
public final class ThroughputSmoke {

    /** The payload size, in bytes. */
    public static final int PAYLOAD_SIZE = 64;

    /** The calls in flight at any moment. */
    public static final int IN_FLIGHT = 64;

    private static final String USAGE = "usage: ThroughputSmoke [--warmup SECONDS] [--measure SECONDS] [--rounds N]\n"
            + "  defaults: --warmup 5 --measure 10 --rounds 2";

    private ThroughputSmoke() {
    }

    /**
     * Runs the measure and prints its numbers.
     *
     * @param args {@code --warmup SECONDS} (5), {@code --measure SECONDS} (10), {@code --rounds N} (2)
     */
    public static void main(String[] args) {
        long warmup = 5;
        long measure = 10;
        long rounds = 2;
        try {
            for (int i = 0; i < args.length; i++) {
                if (args[i].isBlank()) {
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                long value = Long.parseLong(args[i + 1]);
                if (value < 1 || value > 3600) {
                    throw new IllegalArgumentException(args[i] + ": " + value + " (expected: 1 to 3600)");
                }
                switch (args[i]) {
                    case "--warmup" -> warmup = value;
                    case "--measure" -> measure = value;
                    case "--rounds" -> rounds = value;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
                i++;
            }
        }
        catch (IllegalArgumentException e) {
            System.err.println("ThroughputSmoke: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        run(Duration.ofSeconds(warmup), Duration.ofSeconds(measure), (int) rounds);
    }

    private static void run(Duration warmup, Duration measure, int rounds) {
        byte[] payload = new byte[PAYLOAD_SIZE];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }

        ParleyServer parleyServer = ParleyServer.builder()
                .codec(BytesCodec.create())
                .method(ServerMethod.mono("echo", byte[].class, Mono::just))
                .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
                .bindNow();
        String address = parleyServer.address();
        ParleyClient parley = ParleyClient.builder()
                .codec(BytesCodec.create())
                .transport(RSocketClientTransport.tcp("127.0.0.1", Integer.parseInt(address.substring(address.lastIndexOf(':') + 1))))
                .build();

        // The bare echo hands the request back as the reply; RSocket releases it once sent.
        CloseableChannel rawServer = RSocketServer.create(SocketAcceptor.forRequestResponse(Mono::just))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create("127.0.0.1", 0))
                .block(Duration.ofSeconds(10));
        RSocket raw = RSocketConnector.create()
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .connect(TcpClientTransport.create(rawServer.address()))
                .block(Duration.ofSeconds(10));

        Supplier<Mono<?>> parleyCall = () -> parley.call("echo", payload, byte[].class);
        Supplier<Mono<?>> rawCall = () -> raw.requestResponse(ByteBufPayload.create(payload)).doOnNext(Payload::release);

        System.out.printf(Locale.ROOT, "ThroughputSmoke: %d-byte echo, %d calls in flight, loopback TCP, %d cores, Java %s%n",
                PAYLOAD_SIZE, IN_FLIGHT, Runtime.getRuntime().availableProcessors(), Runtime.version());
        System.out.printf(Locale.ROOT, "each side: %d s warm-up, then %d s measured%n", warmup.toSeconds(), measure.toSeconds());
        try {
            for (int round = 1; round <= rounds; round++) {
                double parleyRate = measure(parleyCall, warmup, measure);
                System.out.printf(Locale.ROOT, "round %d: Parley echo        %,10.0f calls/s%n", round, parleyRate);
                double rawRate = measure(rawCall, warmup, measure);
                System.out.printf(Locale.ROOT, "round %d: RSocket-Java echo  %,10.0f calls/s%n", round, rawRate);
                System.out.printf(Locale.ROOT, "round %d: Parley / RSocket-Java = %.2f%n", round, parleyRate / rawRate);
                System.out.flush();
            }
        }
        finally {
            parley.dispose();
            parleyServer.dispose();
            raw.dispose();
            rawServer.dispose();
        }
    }

    /** Keeps {@link #IN_FLIGHT} calls going for {@code warmup + window}; the calls per second completed in the window. */
    private static double measure(Supplier<Mono<?>> call, Duration warmup, Duration window) {
        LongAdder completed = new LongAdder();
        AtomicReference<@Nullable Throwable> failed = new AtomicReference<>();
        // Closed loop: each of IN_FLIGHT callers subscribes to its next call as its last completes.
        Disposable load = Flux.range(0, IN_FLIGHT)
                .flatMap(caller -> Mono.defer(call).repeat(), IN_FLIGHT)
                .subscribe(reply -> completed.increment(), failed::set);
        try {
            pause(warmup);
            long from = completed.sum();
            long start = System.nanoTime();
            pause(window);
            long to = completed.sum();
            long elapsed = System.nanoTime() - start;
            Throwable error = failed.get();
            if (error != null) {
                throw new IllegalStateException("a call failed during the measure: " + error, error);
            }
            return (to - from) * (double) TimeUnit.SECONDS.toNanos(1) / elapsed;
        }
        finally {
            load.dispose();
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
