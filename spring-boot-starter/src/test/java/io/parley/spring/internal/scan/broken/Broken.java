package io.parley.spring.internal.scan.broken;

import io.parley.spring.ParleyClient;
import reactor.core.publisher.Flux;

@ParleyClient
public interface Broken {

    Flux<String> many(String text);
}
