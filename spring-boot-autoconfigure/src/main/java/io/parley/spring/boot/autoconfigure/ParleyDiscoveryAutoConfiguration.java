package io.parley.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.cloud.client.discovery.event.InstancePreRegisteredEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import io.netty.handler.ssl.SslContext;
import io.parley.rsocket.RSocketClientTransport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Parley with Spring Cloud Commons' service discovery, whichever registry the application has
 * (Kubernetes, Consul, Eureka, or Spring Cloud's simple discovery client from properties).
 *
 * <ul>
 * <li><b>Client.</b> With {@code parley.client.discovery.service-id}, the auto-configured client's
 * servers are that service's instances, asked of the application's {@link ReactiveDiscoveryClient}
 * at once and every {@code parley.client.discovery.refresh-interval}, each at the Parley port its
 * metadata gives ({@value #PORT_METADATA_KEY}). RSocket's balancer uses the servers that appear and
 * drains those that leave.</li>
 * <li><b>Server.</b> When the application registers itself with its registry (Spring Cloud's
 * {@link InstancePreRegisteredEvent}), the Parley server's port goes into the registration's
 * metadata under {@value #PORT_METADATA_KEY}, so that Parley clients find it; for Parley served on
 * the application's own WebFlux server ({@code parley.server.mapping-path}), its path under
 * {@value #PATH_METADATA_KEY} and the web server's port.</li>
 * </ul>
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class, before = ParleyClientAutoConfiguration.class)
@ConditionalOnClass({ ReactiveDiscoveryClient.class, RSocketClientTransport.class })
@EnableConfigurationProperties(ParleyProperties.class)
public final class ParleyDiscoveryAutoConfiguration {

    /** The instance metadata key of a server's Parley port. */
    public static final String PORT_METADATA_KEY = "parley.port";

    /** The instance metadata key of the path Parley is served at over WebSocket, for a server on its web server. */
    public static final String PATH_METADATA_KEY = "parley.path";

    private static final Log logger = LogFactory.getLog(ParleyDiscoveryAutoConfiguration.class);

    @Bean
    @ConditionalOnProperty("parley.client.discovery.service-id")
    @ConditionalOnMissingBean(name = "parleyDiscoveredServers")
    ParleyClientCustomizer parleyDiscoveredServers(ParleyProperties properties,
            ObjectProvider<ReactiveDiscoveryClient> discoveryClient, ObjectProvider<SslBundles> sslBundles) {
        ParleyProperties.Client client = properties.getClient();
        ParleyProperties.Discovery discovery = client.getDiscovery();
        String serviceId = discovery.getServiceId();
        if (serviceId == null || serviceId.isBlank()) {
            throw ParleyTransports.invalid("parley.client.discovery.service-id", serviceId, "expected a service id");
        }
        if (!client.getTargets().isEmpty()) {
            throw ParleyTransports.invalid("parley.client.discovery.service-id", serviceId,
                    "expected either parley.client.targets or a service id to discover, not both");
        }
        Duration refresh = discovery.getRefreshInterval();
        if (refresh == null || refresh.isNegative() || refresh.isZero()) {
            throw ParleyTransports.invalid("parley.client.discovery.refresh-interval", refresh, "expected a positive duration");
        }
        ReactiveDiscoveryClient discoveryClientBean = discoveryClient.getIfAvailable();
        if (discoveryClientBean == null) {
            throw ParleyTransports.invalid("parley.client.discovery.service-id", serviceId,
                    "expected a ReactiveDiscoveryClient bean (Spring Cloud Kubernetes, Consul, Eureka, or the simple "
                            + "discovery client) to find the service's instances with");
        }
        SslContext ssl = ParleyTransports.clientSsl(client, sslBundles);
        Flux<List<RSocketClientTransport>> servers = discovered(discoveryClientBean, serviceId, refresh,
                discovery.getPortMetadataKey(), ssl, client.getConnectTimeout());
        RSocketClientTransport transport = ParleyTransports.withSessionOptions(
                (client.getBalance() == ParleyProperties.Balance.WEIGHTED) ? RSocketClientTransport.weighted(servers)
                        : RSocketClientTransport.roundRobin(servers), client, true);
        return (builder) -> builder.transport(transport);
    }

    /**
     * The service's servers, asked for at once and then every {@code refresh}; a list equal to the
     * last is not passed on, and a discovery client that fails or takes longer than {@code refresh}
     * leaves the last list in place until the next ask.
     */
    static Flux<List<RSocketClientTransport>> discovered(ReactiveDiscoveryClient discoveryClient, String serviceId,
            Duration refresh, String portKey, @Nullable SslContext ssl, Duration connectTimeout) {
        return Flux.interval(Duration.ZERO, refresh, Schedulers.parallel())
            .onBackpressureDrop()
            .concatMap((tick) -> discoveryClient.getInstances(serviceId)
                .collectList()
                .timeout(refresh)
                .onErrorResume((ex) -> {
                    logger.warn("Discovery of '" + serviceId + "' failed; the Parley client keeps its servers until the next try: "
                            + ex);
                    return Mono.empty();
                }), 1)
            .map((instances) -> servers(instances, serviceId, portKey))
            .distinctUntilChanged()
            .map((addresses) -> addresses.stream().map((address) -> {
                RSocketClientTransport target = address.transport();
                if (ssl != null) {
                    target = target.secure(ssl);
                }
                return target.connectTimeout(connectTimeout);
            }).toList());
    }

    /** Where an instance serves Parley. */
    record Address(String host, int port, @Nullable String path, boolean secure) {

        RSocketClientTransport transport() {
            return (path != null) ? RSocketClientTransport.websocket(host, port, path) : RSocketClientTransport.tcp(host, port);
        }
    }

    private static List<Address> servers(List<ServiceInstance> instances, String serviceId, String portKey) {
        List<Address> servers = new ArrayList<>();
        for (ServiceInstance instance : instances) {
            Map<String, String> metadata = (instance.getMetadata() != null) ? instance.getMetadata() : Map.of();
            String port = metadata.get(portKey);
            if (port == null) {
                if (logger.isDebugEnabled()) {
                    logger.debug("Instance " + instance.getInstanceId() + " of '" + serviceId + "' has no '" + portKey
                            + "' in its metadata: not a Parley server");
                }
                continue;
            }
            try {
                int p = Integer.parseInt(port.trim());
                if (p < 1 || p > 65535) {
                    throw new NumberFormatException("out of range");
                }
                String path = metadata.get(PATH_METADATA_KEY);
                servers.add(new Address(instance.getHost(), p, (path != null && path.startsWith("/")) ? path : null,
                        instance.isSecure()));
            }
            catch (NumberFormatException ex) {
                logger.warn("Instance " + instance.getInstanceId() + " of '" + serviceId + "' has '" + portKey + "' = '" + port
                        + "' (expected a port from 1 to 65535): not used");
            }
        }
        return servers;
    }

    @Bean
    @ConditionalOnBean(ParleyServerBootstrap.class)
    @ConditionalOnMissingBean(name = "parleyRegistrationMetadata")
    ApplicationListener<InstancePreRegisteredEvent> parleyRegistrationMetadata(ParleyServerBootstrap bootstrap,
            ParleyProperties properties, Environment environment) {
        return (event) -> {
            Map<String, String> metadata = event.getRegistration().getMetadata();
            if (metadata == null) {
                return;
            }
            String path = properties.getServer().getMappingPath();
            try {
                if (path != null) {
                    metadata.put(PORT_METADATA_KEY, Integer.toString(event.getRegistration().getPort()));
                    metadata.put(PATH_METADATA_KEY, path);
                    return;
                }
                Integer port = environment.getProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
                if (port == null && properties.getServer().getPort() != 0) {
                    port = properties.getServer().getPort();
                }
                if (port == null) {
                    logger.warn("The application registers itself before its Parley server is bound to a port "
                            + "(parley.server.port=0): no '" + PORT_METADATA_KEY + "' in its registration; set a port");
                    return;
                }
                metadata.put(PORT_METADATA_KEY, Integer.toString(port));
            }
            catch (UnsupportedOperationException ex) {
                logger.warn("The registration's metadata cannot be changed: no '" + PORT_METADATA_KEY
                        + "' in it; add it in the registry's own properties");
            }
        };
    }
}
