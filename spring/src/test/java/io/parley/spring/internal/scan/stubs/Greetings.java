package io.parley.spring.internal.scan.stubs;

import io.parley.spring.ParleyStub;
import reactor.core.publisher.Mono;

@ParleyStub
public interface Greetings {

    Mono<String> hello(String name);
}
