package io.parley.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Boot demo application: {@link SlowWorkService} and the progress stream of
 * {@link ProgressConfiguration} served by Parley on {@code parley.server.port} (7070), and on
 * {@code server.port} (8080) {@link WorkController}, calling the first through {@link WorkClient},
 * and {@link ProgressController}, relaying the second as server-sent events.
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.spring.WorkApplication
 * curl 'localhost:8080/work?steps=100'          # press Ctrl-C after a second: the server logs the cancel
 * curl -N 'localhost:8080/progress?steps=100'   # an event a step; Ctrl-C stops the job
 * }</pre>
 */
@SpringBootApplication
public class WorkApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkApplication.class, args);
    }
}
