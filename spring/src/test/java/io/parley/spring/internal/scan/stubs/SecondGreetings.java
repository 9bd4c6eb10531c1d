package io.parley.spring.internal.scan.stubs;

import io.parley.spring.ParleyStub;
import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Mono;

@ParleyStub(value = "greetingsFromB", client = "secondClient")
public interface SecondGreetings {

    @ParleyMethod("hello")
    Mono<String> greet(String name);
}
