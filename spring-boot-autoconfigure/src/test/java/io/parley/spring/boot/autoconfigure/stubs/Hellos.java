package io.parley.spring.boot.autoconfigure.stubs;

import io.parley.spring.ParleyStub;
import reactor.core.publisher.Mono;

/** A stub in the application's package, found by the auto-configuration's scan. */
@ParleyStub
public interface Hellos {

    Mono<String> hello(String name);
}
