package io.parley.spring.internal.scan.explicit;

import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Mono;

/** Not annotated: registered only when named in {@code @EnableParleyClients(clients = ...)}. */
public interface Pinger {

    @ParleyMethod("hello")
    Mono<String> ping(String name);
}
