package io.parley.spring.boot.autoconfigure.e2e;

import io.parley.core.client.CallOptions;
import io.parley.core.client.ClientCall;
import io.parley.spring.ParleyClient;
import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Mono;

/** The client side of {@link ShapesService}. */
@ParleyClient
public interface ShapesClient {

    Mono<Receipt> place(Order order);

    Mono<String> shout(String text);

    Mono<Integer> countLetters(String text);

    Mono<Receipt> placeBlocking(Order order);

    Mono<String> fail(Integer faultCode);

    Mono<String> failBlocking(Integer faultCode);

    Mono<String> hold(String request);

    Mono<String> holdAsync(String request);

    @ParleyMethod("hold")
    ClientCall<String> startHold(String request);

    @ParleyMethod("hold")
    Mono<String> hold(String request, CallOptions options);
}
