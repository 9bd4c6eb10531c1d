package io.parley.spring.boot.autoconfigure;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;

import io.netty.handler.ssl.SslContext;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientSetup;
import io.parley.core.transport.ClientTransport;
import io.parley.core.transport.InProcessTransport;
import io.parley.core.transport.RpcRequest;
import io.parley.core.transport.TransportCall;
import io.parley.rsocket.RSocketClientTransport;

/**
 * The client's transport when {@code parley.client.targets} is empty: the application's own
 * Parley server, found when the first call connects, so a server on port 0 is reached on the
 * port it was bound to. TLS, if any, is the client's own ({@code parley.client.ssl.*}).
 */
final class OwnServerTransport implements ClientTransport {

    private static final String LOOPBACK = "127.0.0.1";

    private final ParleyProperties properties;
    private final ObjectProvider<ParleyServerBootstrap> localServer;
    private final Environment environment;
    private final @Nullable SslContext ssl;
    private volatile @Nullable ClientTransport delegate;

    OwnServerTransport(ParleyProperties properties, ObjectProvider<ParleyServerBootstrap> localServer,
            Environment environment, @Nullable SslContext ssl) {
        this.properties = properties;
        this.localServer = localServer;
        this.environment = environment;
        this.ssl = ssl;
    }

    @Override
    public ClientConnection connect(ClientSetup setup) {
        return new Lazy(setup);
    }

    /** The connection to the application's own server, made at the first call, when the server's port is known. */
    private final class Lazy implements ClientConnection {

        private final ClientSetup setup;
        private final AtomicReference<@Nullable ClientConnection> connection = new AtomicReference<>();
        private volatile boolean disposed;

        Lazy(ClientSetup setup) {
            this.setup = setup;
        }

        @Override
        public TransportCall newCall(RpcRequest request) {
            ClientConnection c = this.connection.get();
            if (c == null) {
                ClientConnection made;
                try {
                    ClientTransport transport = resolve();
                    OwnServerTransport.this.delegate = transport;
                    made = transport.connect(this.setup);
                }
                catch (RpcFault fault) {
                    return TransportCall.failed(fault);
                }
                if (this.connection.compareAndSet(null, made)) {
                    c = made;
                    if (this.disposed) {
                        made.dispose();
                    }
                }
                else {
                    made.dispose();
                    // Another call made the connection first; it is never taken back.
                    c = Objects.requireNonNull(this.connection.get());
                }
            }
            return c.newCall(request);
        }

        @Override
        public void dispose() {
            this.disposed = true;
            ClientConnection c = this.connection.get();
            if (c != null) {
                c.dispose();
            }
        }

        @Override
        public boolean isDisposed() {
            return this.disposed;
        }
    }

    private ClientTransport resolve() {
        ParleyServerBootstrap bootstrap = this.localServer.getIfAvailable();
        ParleyServer server = (bootstrap != null) ? bootstrap.getServer() : null;
        if (server == null) {
            throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "parley.client.targets is empty and this application "
                    + "runs no Parley server (expected: parley.client.targets=host:port)");
        }
        if (server.address().startsWith(ParleyTransports.IN_PROCESS_PREFIX)) {
            return InProcessTransport.client(server.address().substring(ParleyTransports.IN_PROCESS_PREFIX.length()));
        }
        ParleyProperties.Server own = this.properties.getServer();
        String path = ParleyTransports.mappingPath(own);
        RSocketClientTransport transport;
        if (path != null) {
            Integer webPort = this.environment.getProperty("local.server.port", Integer.class);
            if (webPort == null) {
                throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the web server serving parley.server.mapping-path "
                        + path + " has not published its port (local.server.port)");
            }
            transport = RSocketClientTransport.websocket(LOOPBACK, webPort, path);
        }
        else {
            String host = isWildcard(own.getAddress()) ? LOOPBACK : own.getAddress();
            Integer port = ParleyServerBootstrap.portOf(server.address());
            if (port == null) {
                throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "this application's Parley server, at "
                        + server.address() + ", has no port to call");
            }
            transport = (own.getTransport() == ParleyProperties.Transport.WEBSOCKET)
                    ? RSocketClientTransport.websocket(host, port) : RSocketClientTransport.tcp(host, port);
        }
        transport = transport.connectTimeout(this.properties.getClient().getConnectTimeout());
        if (own.getLeases().isEnabled() && !this.properties.getClient().isLeases()) {
            // A server with leases refuses clients that do not honour them; its own client does.
            transport = transport.leases();
        }
        transport = ParleyTransports.withSessionOptions(transport, this.properties.getClient(), false);
        return (this.ssl != null) ? transport.secure(this.ssl) : transport;
    }

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }

    @Override
    public String toString() {
        return "OwnServerTransport{" + this.delegate + "}";
    }
}
