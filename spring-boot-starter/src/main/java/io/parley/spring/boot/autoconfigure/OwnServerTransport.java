package io.parley.spring.boot.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.env.Environment;

import io.netty.handler.ssl.SslContext;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.server.ParleyServer;
import io.parley.core.transport.ClientConnection;
import io.parley.core.transport.ClientTransport;
import io.parley.rsocket.RSocketClientTransport;
import reactor.core.publisher.Mono;

/**
 * The client's transport when {@code parley.client.targets} is empty: the application's own
 * Parley server, found when the first call connects, so a server on port 0 is reached on the
 * port it was bound to. TLS, if any, is the client's own ({@code parley.client.ssl.*}).
 */
final class OwnServerTransport implements ClientTransport {

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
    public Mono<ClientConnection> connect(String dataMimeType) {
        return Mono.defer(() -> {
            ClientTransport transport = this.delegate;
            if (transport == null) {
                try {
                    transport = resolve();
                }
                catch (RpcFault fault) {
                    return Mono.error(fault);
                }
                this.delegate = transport;
            }
            return transport.connect(dataMimeType);
        });
    }

    private ClientTransport resolve() {
        ParleyServerBootstrap bootstrap = this.localServer.getIfAvailable();
        ParleyServer server = (bootstrap != null) ? bootstrap.getServer() : null;
        if (server == null) {
            throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "parley.client.targets is empty and this application "
                    + "runs no Parley server (expected: parley.client.targets=host:port)");
        }
        ParleyProperties.Server own = this.properties.getServer();
        String path = ParleyTransports.mappingPath(own);
        String target;
        if (path != null) {
            Integer webPort = this.environment.getProperty("local.server.port", Integer.class);
            if (webPort == null) {
                throw new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the web server serving parley.server.mapping-path "
                        + path + " has not published its port (local.server.port)");
            }
            target = "ws://127.0.0.1:" + webPort + path;
        }
        else {
            Integer port = ParleyServerBootstrap.portOf(server.address());
            target = loopbackIfWildcard(own.getAddress()) + ":" + port;
        }
        RSocketClientTransport transport = ParleyTransports.target("parley.server", target, own.getTransport())
            .connectTimeout(this.properties.getClient().getConnectTimeout());
        if (this.ssl != null) {
            transport = transport.secure(this.ssl);
        }
        return transport;
    }

    private static String loopbackIfWildcard(String address) {
        if (address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]")) {
            return "127.0.0.1";
        }
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }

    @Override
    public String toString() {
        return "OwnServerTransport{" + this.delegate + "}";
    }
}
