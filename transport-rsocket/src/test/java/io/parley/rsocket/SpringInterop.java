package io.parley.rsocket;

import java.time.Duration;

import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.rsocket.RSocketStrategies;

/** What the Spring interop tests share: the messages, Spring's strategies and the bound on every wait. */
final class SpringInterop {

    /** The bound for every wait: far beyond any healthy answer, short enough to fail fast. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

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
