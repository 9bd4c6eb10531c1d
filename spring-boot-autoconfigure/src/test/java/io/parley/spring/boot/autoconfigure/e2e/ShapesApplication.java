package io.parley.spring.boot.autoconfigure.e2e;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A Spring Boot application serving every method shape and calling them through a @ParleyStub. */
@SpringBootApplication
public class ShapesApplication {
}
