package io.parley.examples.spring;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import io.parley.core.RpcStatus;
import io.parley.examples.progress.Progress;
import io.parley.examples.progress.ProgressJob;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Runs {@link WorkApplication} on free ports and shows, over real HTTP and RSocket on loopback,
 * what its endpoints do: one request that completes, one whose HTTP client disconnects after a
 * second, which the Parley server sees as a cancelled call, and a stream of server-sent events
 * whose HTTP client goes away after three, which cancels the Parley stream behind it.
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.spring.SpringWorkDemo
 * }</pre>
 *
 * Exits with status 1 if an outcome is not the expected one.
 */
public final class SpringWorkDemo {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private SpringWorkDemo() {
    }

    public static void main(String[] args) {
        // Arguments, not the builder's properties: those are defaults, which application.properties overrides.
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WorkApplication.class)
            .run("--server.port=0", "--parley.server.port=0", "--parley.server.address=127.0.0.1");
        boolean ok;
        try {
            ok = run(context);
        }
        finally {
            context.close();
        }
        System.out.println(ok ? "All outcomes as expected." : "An outcome was NOT as expected.");
        System.exit(ok ? 0 : 1);
    }

    static boolean run(ConfigurableApplicationContext context) {
        int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
        WorkJournal journal = context.getBean(WorkJournal.class);
        HttpClient http = HttpClient.create().baseUrl("http://127.0.0.1:" + port);

        System.out.println("(a) GET /work?steps=5&stepMillis=100");
        String body = http.get().uri("/work?steps=5&stepMillis=100").responseContent().aggregate().asString().block(WAIT);
        System.out.println("    HTTP reply: " + body);
        boolean completed = body != null && body.contains("\"steps\":5");

        System.out.println("(b) GET /work?steps=100&stepMillis=100, the HTTP client disconnecting after 1 s");
        Disposable request = http.get().uri("/work?steps=100&stepMillis=100").responseContent().aggregate().asString()
            .subscribe();
        WorkJournal.Entry started = journal.entries()
            .filter((entry) -> entry.event().equals("started") && entry.stepsAsked() == 100)
            .next()
            .block(WAIT);
        Mono.delay(Duration.ofSeconds(1)).block();
        request.dispose();
        WorkJournal.Entry seen = journal.entries()
            .filter((entry) -> started != null && entry.callId() == started.callId() && !entry.event().equals("started"))
            .next()
            .block(WAIT);
        if (seen == null || started == null || !seen.event().equals("cancelled")) {
            System.out.println("    the server did not report a cancel");
            return false;
        }
        System.out.println("    server: call " + seen.callId() + " saw testCancel() = RPC_S_OK after "
                + seen.stepsDone() + " of 100 steps, and stopped");
        return completed && seen.stepsDone() < 100 && events(context, port);
    }

    /** {@code GET /progress} as server-sent events, the HTTP client going away after three. */
    private static boolean events(ConfigurableApplicationContext context, int port) {
        System.out.println("(c) GET /progress?steps=100&stepMillis=100 as text/event-stream, the HTTP client going away after 3 events");
        List<ServerSentEvent<Progress>> events = WebClient.create("http://127.0.0.1:" + port)
            .get()
            .uri("/progress?steps=100&stepMillis=100")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .retrieve()
            .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<Progress>>() {
            })
            .doOnNext((event) -> System.out.println("    event: " + event.event() + ", " + event.data()))
            .take(3)
            .collectList()
            .block(WAIT);
        Progress first = (events == null || events.isEmpty()) ? null : events.get(0).data();
        if (first == null) {
            System.out.println("    no event arrived");
            return false;
        }
        ProgressJob.Outcome outcome = context.getBean(ProgressJob.class)
            .outcomes()
            .filter((served) -> served.callId() == first.callId())
            .next()
            .block(WAIT);
        if (outcome == null) {
            System.out.println("    the server did not report the stream's end");
            return false;
        }
        System.out.println("    server: call " + outcome.callId() + " saw testCancel() = " + outcome.testCancel().name()
                + " after " + outcome.stepsDone() + " of 100 steps; complete(summary) returned " + outcome.ended().name());
        return outcome.testCancel() == RpcStatus.OK && outcome.ended() == RpcStatus.CALL_CANCELLED;
    }
}
