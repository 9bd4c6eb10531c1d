package io.parley.examples.spring;

import java.time.Duration;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Runs {@link WorkApplication} on free ports and shows, over real HTTP and RSocket on loopback,
 * what its endpoint does: one request that completes, and one whose HTTP client disconnects after
 * a second, which the Parley server sees as a cancelled call.
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.spring.SpringWorkDemo
 * }</pre>
 *
 * Exits with status 1 if either outcome is not the expected one.
 */
public final class SpringWorkDemo {

    private static final Duration WAIT = Duration.ofSeconds(15);

    private SpringWorkDemo() {
    }

    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WorkApplication.class)
            .properties("server.port=0", "parley.server.port=0", "parley.server.address=127.0.0.1")
            .run();
        boolean ok;
        try {
            ok = run(context);
        }
        finally {
            context.close();
        }
        System.out.println(ok ? "Both outcomes as expected." : "An outcome was NOT as expected.");
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
        return completed && seen.stepsDone() < 100;
    }
}
