package io.parley.spring.internal.scan.explicit;

import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Mono;

/** Not annotated: registered only when named in {@code @EnableParleyStubs(stubs = ...)}. */
public interface Pinger {

    @ParleyMethod("hello")
    Mono<String> ping(String name);
}
