package io.parley.rsocket;

import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportServer;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * For the call-semantics suites: an HTTP server on loopback, port 0, that serves a plain route
 * and Parley on an {@link RSocketWebSocketRoute} at {@link #PATH}; disposing the bound server
 * disposes both. Its address is the HTTP server's {@code host:port}.
 */
final class RouteOnHttpServer implements ServerTransport {

    static final String PATH = "/parley";

    @Override
    public Mono<TransportServer> bind(CallAcceptor acceptor) {
        RSocketWebSocketRoute route = RSocketWebSocketRoute.at(PATH);
        return HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> {
                    routes.get("/hello", (request, response) -> response.sendString(Mono.just("hello")));
                    route.addTo(routes);
                })
                .bind()
                .flatMap(http -> route.bind(acceptor)
                        .<TransportServer>map(bound -> new Both(http, bound))
                        .doOnError(error -> http.dispose()));
    }

    private static final class Both implements TransportServer {

        private final DisposableServer http;
        private final TransportServer route;

        Both(DisposableServer http, TransportServer route) {
            this.http = http;
            this.route = route;
        }

        @Override
        public String address() {
            return http.host() + ":" + http.port();
        }

        @Override
        public Mono<Void> onClose() {
            return Mono.when(route.onClose(), http.onDispose());
        }

        @Override
        public void dispose() {
            route.dispose();
            http.dispose();
        }

        @Override
        public boolean isDisposed() {
            return route.isDisposed();
        }
    }
}
