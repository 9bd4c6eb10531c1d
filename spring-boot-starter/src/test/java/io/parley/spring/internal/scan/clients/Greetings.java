package io.parley.spring.internal.scan.clients;

import io.parley.spring.ParleyClient;
import reactor.core.publisher.Mono;

@ParleyClient
public interface Greetings {

    Mono<String> hello(String name);
}
