package io.parley.spring.boot.autoconfigure.stubs.explicit;

import reactor.core.publisher.Mono;

/** Not annotated: registered only when named in {@code @EnableParleyStubs(stubs = ...)}. */
public interface Pings {

    Mono<String> hello(String name);
}
