package io.parley.rsocket;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.reactivestreams.Publisher;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.transport.CallAcceptor;
import io.parley.core.transport.ServerTransport;
import io.parley.core.transport.TransportServer;
import io.rsocket.core.RSocketServer;
import io.rsocket.exceptions.RejectedSetupException;
import io.rsocket.frame.FrameLengthCodec;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ServerTransport.ConnectionAcceptor;
import io.rsocket.transport.netty.server.WebsocketRouteTransport;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * Serves Parley calls over RSocket on WebSocket at a path of a Reactor Netty HTTP server that
 * someone else owns: a WebFlux application's, or any {@code HttpServer} that serves other routes
 * too. The route is added to the server's routes when they are built; the Parley server is bound
 * to the route, before or after the HTTP server starts.
 *
 * <pre>{@code
 * RSocketWebSocketRoute route = RSocketWebSocketRoute.at("/parley");
 * DisposableServer http = HttpServer.create().port(8080)
 *         .route(routes -> {
 *             routes.get("/hello", (request, response) -> response.sendString(Mono.just("hello")));
 *             route.addTo(routes);
 *         })
 *         .bindNow();
 * ParleyServer server = ParleyServer.builder()
 *         .method(ServerMethod.mono("echo", String.class, Mono::just))
 *         .transport(route)
 *         .bindNow();
 * server.address();                                   // "websocket route /parley"
 *
 * // a client: RSocketClientTransport.websocket("app.internal", 8080, "/parley")
 * }</pre>
 *
 * <p>A route serves one Parley server, once: a second {@link #bind bind} fails with
 * {@link IllegalStateException}. Disposing the bound server closes the route's open Parley
 * connections and leaves the HTTP server and its other routes running. A connection that
 * arrives while no Parley server is bound (before the bind or after the dispose) is refused at
 * once at its SETUP, with {@code RPC_S_SERVER_UNAVAILABLE}, as a shutting-down server refuses
 * one (see {@code docs/wire-protocol.md}, §1): its calls end with that fault, not a hang.
 *
 * <p>WebSocket frames are accepted up to RSocket's largest frame (16 MiB) by default, as
 * {@link RSocketServerTransport#websocket} accepts them; the server's own limits on a request
 * ({@code maxInboundPayloadSize}) still apply.
 */
public final class RSocketWebSocketRoute implements ServerTransport {

    private final String path;
    private final ConnectionAcceptor notYetBound;
    private final ConnectionAcceptor stopped;
    private final AtomicReference<ConnectionAcceptor> serving;

    private RSocketWebSocketRoute(String path) {
        this.path = path;
        this.notYetBound = refusing("Parley is not served on " + path + " yet");
        this.stopped = refusing("the server on " + path + " has stopped");
        this.serving = new AtomicReference<>(notYetBound);
    }

    /**
     * A route at the given path.
     *
     * @param path the path the WebSocket is served at, e.g. {@code /parley}; a template such as
     *        {@code /parley/{tenant}} matches as Reactor Netty matches route paths
     * @return the route, not yet serving
     */
    public static RSocketWebSocketRoute at(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' (expected: a path starting with '/')");
        }
        return new RSocketWebSocketRoute(path);
    }

    /** The path this route serves, as given to {@link #at(String)}. */
    public String path() {
        return path;
    }

    /**
     * Adds this route, with the default WebSocket settings, to the routes of an HTTP server.
     *
     * @param routes the server's routes, e.g. in {@code HttpServer.route(routes -> ...)}
     * @return {@code routes}, for chaining
     */
    public HttpServerRoutes addTo(HttpServerRoutes routes) {
        return addTo(routes, WebsocketServerSpec.builder().maxFramePayloadLength(FrameLengthCodec.FRAME_LENGTH_MASK).build());
    }

    /**
     * Adds this route to the routes of an HTTP server, with the given WebSocket settings: its
     * subprotocols, largest frame, compression, ping handling. Reactor Netty's own default for
     * the largest frame is 64 KiB, so a spec built from scratch refuses larger requests and
     * replies; {@link #addTo(HttpServerRoutes)} allows RSocket's 16 MiB.
     *
     * @param routes the server's routes
     * @param spec the WebSocket settings of the route
     * @return {@code routes}, for chaining
     */
    public HttpServerRoutes addTo(HttpServerRoutes routes, WebsocketServerSpec spec) {
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(spec, "spec");
        return routes.ws(path, this::serve, spec);
    }

    /** Each WebSocket goes to whatever serves the route at the moment it arrives. */
    private Publisher<Void> serve(WebsocketInbound in, WebsocketOutbound out) {
        return WebsocketRouteTransport.newHandler(serving.get()).apply(in, out);
    }

    /**
     * Makes the route serve the given Parley server.
     *
     * @param acceptor Parley's server
     * @return the bound route, on subscription; an {@link IllegalStateException} if the route was
     *         bound before
     */
    @Override
    public Mono<TransportServer> bind(CallAcceptor acceptor) {
        Objects.requireNonNull(acceptor, "acceptor");
        return Mono.fromCallable(() -> {
            ParleySocketAcceptor connections = new ParleySocketAcceptor(acceptor);
            ConnectionAcceptor server = ParleySocketAcceptor.withRemoteAddress(connections.server().asConnectionAcceptor());
            if (!serving.compareAndSet(notYetBound, server)) {
                throw new IllegalStateException("bind: the route at " + path + " is already bound (expected: one server per route)");
            }
            return new BoundRoute(server, connections);
        });
    }

    /** An RSocket server that refuses every SETUP with RPC_S_SERVER_UNAVAILABLE. */
    private static ConnectionAcceptor refusing(String detail) {
        String text = FaultCodec.text(new RpcFault(RpcStatus.SERVER_UNAVAILABLE, detail));
        return RSocketServer.create((setup, sendingSocket) -> Mono.error(new RejectedSetupException(text)))
                .payloadDecoder(PayloadDecoder.ZERO_COPY)
                .asConnectionAcceptor();
    }

    @Override
    public String toString() {
        return "RSocketWebSocketRoute{" + path + "}";
    }

    /** The route while it serves a Parley server, as core sees it. */
    private final class BoundRoute implements TransportServer {

        private final ConnectionAcceptor server;
        private final ParleySocketAcceptor connections;
        private final Sinks.Empty<Void> closed = Sinks.empty();

        BoundRoute(ConnectionAcceptor server, ParleySocketAcceptor connections) {
            this.server = server;
            this.connections = connections;
        }

        @Override
        public String address() {
            return "websocket route " + path;
        }

        @Override
        public Mono<Void> onClose() {
            return closed.asMono();
        }

        @Override
        public void dispose() {
            if (serving.compareAndSet(server, stopped)) {
                connections.closeAll();
                closed.tryEmitEmpty();
            }
        }

        @Override
        public boolean isDisposed() {
            return serving.get() != server;
        }
    }
}
