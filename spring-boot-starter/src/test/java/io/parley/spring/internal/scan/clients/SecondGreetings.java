package io.parley.spring.internal.scan.clients;

import io.parley.spring.ParleyClient;
import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Mono;

@ParleyClient(value = "greetingsFromB", client = "secondClient")
public interface SecondGreetings {

    @ParleyMethod("hello")
    Mono<String> greet(String name);
}
