package io.parley.spring.boot.autoconfigure.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.discovery.event.InstancePreRegisteredEvent;
import org.springframework.cloud.client.discovery.simple.InstanceProperties;
import org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryProperties;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketServerTransport;
import io.parley.spring.boot.autoconfigure.ParleyDiscoveryAutoConfiguration;
import io.parley.spring.boot.autoconfigure.ParleyServerBootstrap;
import reactor.core.publisher.Mono;

/**
 * A Parley client that names a service id finds its servers through Spring Cloud's discovery
 * client (here the simple one, from properties, changed while the test runs): servers that
 * appear are used, those that leave are not; and a Parley server puts its port in the metadata
 * of the application's registration.
 */
class DiscoveryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final List<ParleyServer> servers = new ArrayList<>();
    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

    @AfterEach
    void stop() {
        this.contexts.forEach(ConfigurableApplicationContext::close);
        this.servers.forEach(ParleyServer::dispose);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class ClientOnly {

    }

    private ParleyServer server(String name) {
        ParleyServer server = ParleyServer.builder()
            .method(ServerMethod.<String, String>mono("whoami", String.class, (request) -> Mono.just(name)))
            .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
            .bindNow();
        this.servers.add(server);
        return server;
    }

    private static int port(ParleyServer server) {
        String address = server.address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    private static InstanceProperties instance(String id, int parleyPort) {
        InstanceProperties instance = new InstanceProperties();
        instance.setInstanceId(id);
        instance.setServiceId("orders");
        instance.setHost("127.0.0.1");
        instance.setPort(8080);
        instance.setMetadata(new HashMap<>(Map.of(ParleyDiscoveryAutoConfiguration.PORT_METADATA_KEY, Integer.toString(parleyPort))));
        return instance;
    }

    private ConfigurableApplicationContext client(String... properties) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ClientOnly.class).web(WebApplicationType.NONE)
            .properties("spring.main.banner-mode=off", "parley.client.discovery.service-id=orders",
                    "parley.client.discovery.refresh-interval=100ms")
            .properties(properties)
            .run();
        this.contexts.add(context);
        return context;
    }

    @Test
    void serversThatAppearAreUsed_andThoseThatLeaveAreNot() {
        ParleyServer a = server("a");
        ConfigurableApplicationContext context = client(
                "spring.cloud.discovery.client.simple.instances.orders[0].host=127.0.0.1",
                "spring.cloud.discovery.client.simple.instances.orders[0].port=8080",
                "spring.cloud.discovery.client.simple.instances.orders[0].metadata[parley.port]=" + port(a));
        ParleyClient client = context.getBean(ParleyClient.class);
        SimpleReactiveDiscoveryProperties discovery = context.getBean(SimpleReactiveDiscoveryProperties.class);

        assertThat(client.call("whoami", "?", String.class).block(TIMEOUT)).isEqualTo("a");

        ParleyServer b = server("b");
        discovery.setInstances(Map.of("orders", List.of(instance("a", port(a)), instance("b", port(b)))));
        Set<String> answered = new HashSet<>();
        await(() -> answered.add(client.call("whoami", "?", String.class).block(TIMEOUT)) && answered.size() == 2
                || answered.size() == 2);
        assertThat(answered).containsExactlyInAnyOrder("a", "b");

        discovery.setInstances(Map.of("orders", List.of(instance("b", port(b)))));
        await(() -> {
            for (int i = 0; i < 20; i++) {
                if (!"b".equals(client.call("whoami", "?", String.class).block(TIMEOUT))) {
                    return false;
                }
            }
            return true;
        });
        a.dispose();
        for (int i = 0; i < 20; i++) {
            assertThat(client.call("whoami", "?", String.class).block(TIMEOUT)).isEqualTo("b");
        }
    }

    @Test
    void aServiceIdAndTargetsTogether_stopTheApplication() {
        assertThatThrownBy(() -> client("parley.client.targets=127.0.0.1:7000"))
            .hasStackTraceContaining("expected either parley.client.targets or a service id to discover, not both");
    }

    @Test
    void aParleyServerPutsItsPortInTheApplicationsRegistration_whereItsClientsFindIt() {
        ConfigurableApplicationContext server = new SpringApplicationBuilder(ShapesApplication.class).web(WebApplicationType.NONE)
            .properties("parley.server.port=0", "parley.server.address=127.0.0.1", "spring.main.banner-mode=off")
            .run();
        this.contexts.add(server);
        int port = server.getEnvironment().getRequiredProperty(ParleyServerBootstrap.LOCAL_PORT_PROPERTY, Integer.class);
        Registration registration = new SimpleRegistration(new DefaultServiceInstance("shapes-1", "shapes", "127.0.0.1", 8080,
                false, new HashMap<>()));

        server.publishEvent(new InstancePreRegisteredEvent(this, registration));

        assertThat(registration.getMetadata()).containsEntry(ParleyDiscoveryAutoConfiguration.PORT_METADATA_KEY, Integer.toString(port));
        ConfigurableApplicationContext client = client("parley.client.discovery.service-id=shapes",
                "spring.cloud.discovery.client.simple.instances.shapes[0].host=127.0.0.1",
                "spring.cloud.discovery.client.simple.instances.shapes[0].port=8080",
                "spring.cloud.discovery.client.simple.instances.shapes[0].metadata[parley.port]="
                        + registration.getMetadata().get(ParleyDiscoveryAutoConfiguration.PORT_METADATA_KEY));
        assertThat(client.getBean(ParleyClient.class).call("shout", "hi", String.class).block(TIMEOUT)).startsWith("HI");
    }

    /** A registration as a registry's auto-registration makes one: an instance whose metadata it may change. */
    record SimpleRegistration(DefaultServiceInstance instance) implements Registration {

        @Override
        public String getServiceId() {
            return this.instance.getServiceId();
        }

        @Override
        public String getHost() {
            return this.instance.getHost();
        }

        @Override
        public int getPort() {
            return this.instance.getPort();
        }

        @Override
        public boolean isSecure() {
            return this.instance.isSecure();
        }

        @Override
        public java.net.URI getUri() {
            return this.instance.getUri();
        }

        @Override
        public Map<String, String> getMetadata() {
            return this.instance.getMetadata();
        }
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited %s", TIMEOUT).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
