package io.parley.spring.boot.autoconfigure.e2e;

import java.util.List;

import org.reactivestreams.Publisher;

import io.parley.core.client.CallOptions;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ClientStream;
import io.parley.spring.ParleyStub;
import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The client side of {@link ShapesService}. */
@ParleyStub
public interface ShapesClient {

    Mono<Receipt> place(Order order);

    @ParleyMethod(idempotent = true)
    Mono<String> busyOnce(String key);

    @ParleyMethod("busyOnce")
    Mono<String> busyOnceNotIdempotent(String key);

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

    Flux<Receipt> placeEach(Order order);

    Flux<List<Receipt>> placeInPairs(Order order, CallOptions options);

    Mono<Receipt> placeTotal(Flux<Order> orders);

    Flux<Receipt> placeAll(Publisher<Order> orders);

    void record(Order order);

    ClientStream<String> progress(String job);

    Flux<String> watch(String topic);

    Flux<Integer> countThenFail(Integer faultCode);

    Flux<Integer> countThenAbort(Integer faultCode);

    @ParleyMethod("placeEach")
    Mono<Receipt> placeEachAsUnary(Order order);
}
