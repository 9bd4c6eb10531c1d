package io.parley.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Boot demo application: {@link SlowWorkService} served by Parley on
 * {@code parley.server.port} (7070), and {@link WorkController} on {@code server.port} (8080)
 * calling it through {@link WorkClient}.
 *
 * <pre>{@code
 * mvn -q -Pdemo -DskipTests package -Ddemo.mainClass=io.parley.examples.spring.WorkApplication
 * curl 'localhost:8080/work?steps=100'      # press Ctrl-C after a second: the server logs the cancel
 * }</pre>
 */
@SpringBootApplication
public class WorkApplication {

    public static void main(String[] args) {
        SpringApplication.run(WorkApplication.class, args);
    }
}
