package io.parley.benchmarks;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.json.JacksonJsonDecoder;
import org.springframework.http.codec.json.JacksonJsonEncoder;
import org.springframework.messaging.MessageHeaders;
import org.springframework.messaging.handler.annotation.MessageMapping;
import org.springframework.messaging.rsocket.RSocketRequester;
import org.springframework.messaging.rsocket.RSocketStrategies;
import org.springframework.messaging.rsocket.annotation.support.RSocketMessageHandler;
import org.springframework.util.MimeTypeUtils;

import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.CloseableChannel;
import io.rsocket.transport.netty.server.TcpServerTransport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Spring's {@code RSocketRequester} calling a {@code @MessageMapping} responder, JSON through
 * Jackson 3, both set up by hand as Spring Boot would: Spring's default strategies plus JSON, a
 * zero-copy server (Boot's choice for Netty buffers); the requester picks its decoder itself.
 * Its stream is a {@code @MessageMapping} method returning a {@code Flux}, read with
 * {@code retrieveFlux}.
 */
final class SpringSystem extends ThreadNamedSystem {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final LoopResources serverLoops = Loops.reactor(serverThreads);
    private final LoopResources clientLoops = Loops.reactor(clientThreads);
    private final EchoController controller = new EchoController();
    private final Map<Integer, EchoMessage> requests = new HashMap<>();
    private @Nullable CloseableChannel server;
    private @Nullable RSocketRequester requester;

    @Override
    public String name() {
        return "Spring RSocket JSON";
    }

    @Override
    public void start(int[] payloadSizes) throws Exception {
        // Spring's message ids seed a SecureRandom in MessageHeaders' static initializer, reading
        // /dev/urandom: done here, on the harness's thread, rather than first on an event loop.
        new MessageHeaders(Map.of());
        RSocketStrategies strategies = RSocketStrategies.builder()
                .encoder(new JacksonJsonEncoder())
                .decoder(new JacksonJsonDecoder())
                .build();
        RSocketMessageHandler handler = new RSocketMessageHandler();
        handler.setRSocketStrategies(strategies);
        handler.setHandlers(List.of(controller));
        handler.afterPropertiesSet();
        server = RSocketServer.create(handler.responder())
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .bind(TcpServerTransport.create(TcpServer.create().host("127.0.0.1").port(0).runOn(serverLoops)))
                .block(TIMEOUT);
        requester = RSocketRequester.builder()
                .rsocketStrategies(strategies)
                .dataMimeType(MimeTypeUtils.APPLICATION_JSON)
                .transport(TcpClientTransport.create(TcpClient.create()
                        .host("127.0.0.1").port(server.address().getPort()).runOn(clientLoops)));
        for (int size : payloadSizes) {
            requests.put(size, EchoMessage.ofSize(size));
            requester.route("echo").data(requests.get(size)).retrieveMono(EchoMessage.class).block(TIMEOUT);
        }
        requests.put(0, EchoMessage.ofSize(64));
    }

    @Override
    public void call(int payloadSize, Done done) {
        requester.route("echo").data(requests.get(payloadSize)).retrieveMono(EchoMessage.class)
                .subscribe(reply -> done.ok(), done::failed);
    }

    @Override
    public boolean holds() {
        return true;
    }

    @Override
    public Runnable hold() {
        return requester.route("hold").data(requests.get(0)).retrieveMono(EchoMessage.class)
                .subscribe(reply -> { }, error -> { })::dispose;
    }

    @Override
    public Held held() {
        return controller.held;
    }

    @Override
    public boolean streams() {
        return true;
    }

    @Override
    public Runnable stream(int payloadSize, int batch, Items items) {
        return Batches.read(requester.route("repeat").data(requests.get(payloadSize)).retrieveFlux(EchoMessage.class), batch, items,
                item -> { });
    }

    @Override
    public Held streamed() {
        return controller.streamed;
    }

    @Override
    public void close() {
        if (requester != null) {
            requester.dispose();
        }
        if (server != null) {
            server.dispose();
        }
        Loops.dispose(clientLoops);
        Loops.dispose(serverLoops);
    }

    /** The responder's handlers, found by their {@code @MessageMapping}. */
    static final class EchoController {

        final Held held = new Held();
        final Held streamed = new Held();

        @MessageMapping("echo")
        EchoMessage echo(EchoMessage request) {
            return request;
        }

        @MessageMapping("hold")
        Mono<EchoMessage> hold(EchoMessage request) {
            held.started();
            return Mono.<EchoMessage>never().doOnCancel(held::cancelled);
        }

        @MessageMapping("repeat")
        Flux<EchoMessage> repeat(EchoMessage request) {
            streamed.started();
            return Flux.<EchoMessage>generate(sink -> sink.next(request)).doOnCancel(streamed::cancelled);
        }
    }
}
