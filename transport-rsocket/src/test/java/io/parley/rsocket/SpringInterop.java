package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.messaging.rsocket.annotation.support.RSocketMessageHandler;
import org.springframework.util.MimeTypeUtils;

import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import reactor.core.Disposable;

/**
 * What the Spring interop tests share: the messages, Spring's strategies, requester and
 * responder as an application sets them up, and the bound on every wait.
 */
final class SpringInterop {

    /** The bound for every wait: far beyond any healthy answer, short enough to fail fast. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** How a client that knows nothing of Parley reads a fault's name and code from the ERROR frame's text. */
    private static final Pattern FOREIGN_FAULT_TEXT = Pattern.compile("^(\\S+) \\((\\d+)\\)(?:: (.*))?$", Pattern.DOTALL);

    private SpringInterop() {
    }

    /**
     * Spring's strategies as an application would configure them: the defaults (String, byte[],
     * ByteBuffer, DataBuffer) plus Jackson 3 JSON for everything else.
     */
    static RSocketStrategies strategies() {
        return RSocketStrategies.builder()
                .encoder(new JacksonJsonEncoder())
                .decoder(new JacksonJsonDecoder())
                .build();
    }

    /** Spring's requester of JSON, with composite metadata, to a server on loopback. */
    static RSocketRequester requester(int port) {
        return RSocketRequester.builder()
                .rsocketStrategies(strategies())
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .tcp("127.0.0.1", port);
    }

    /**
     * An RSocket server whose responder is Spring's {@code @MessageMapping} handler of the given
     * controller, set up by hand as Spring Boot would (no application context), for the caller to
     * bind.
     */
    static RSocketServer springServer(Object controller) {
        RSocketMessageHandler handler = new RSocketMessageHandler();
        handler.setRSocketStrategies(strategies());
        handler.setHandlers(List.of(controller));
        handler.afterPropertiesSet();
        return RSocketServer.create(handler.responder())
                // As Spring Boot does for a Netty buffer factory, which Spring's strategies default to.
                .payloadDecoder(PayloadDecoder.ZERO_COPY);
    }

    /** Disposes what a test made, the last made first. */
    static void disposeAll(List<? extends Disposable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).dispose();
        }
    }

    /** Asserts that a client that knows nothing of Parley reads this name, code and detail from a fault's text. */
    static void assertForeignReading(String text, String name, long code, @Nullable String detail) {
        Matcher m = FOREIGN_FAULT_TEXT.matcher(text);
        assertThat(m.matches()).as("'%s' matches %s", text, FOREIGN_FAULT_TEXT).isTrue();
        assertThat(m.group(1)).isEqualTo(name);
        assertThat(Long.parseLong(m.group(2))).isEqualTo(code);
        assertThat(m.group(3)).isEqualTo(detail);
    }

    /** Waits, without blocking an event loop, for a condition that another thread makes true. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + TIMEOUT + ": " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** A request, as a JSON object: {@code {"name":"Ada"}}. */
    record Greeting(String name) {
    }

    /** A reply, as a JSON object: {@code {"text":"Hello, Ada","length":3}}. */
    record Reply(String text, int length) {

        static Reply to(Greeting greeting) {
            return new Reply("Hello, " + greeting.name(), greeting.name().length());
        }
    }

    /** A stream's request: send so many items, then abort with the code, read as unsigned 32-bit. */
    record AbortAfter(int items, long code) {
    }
}
