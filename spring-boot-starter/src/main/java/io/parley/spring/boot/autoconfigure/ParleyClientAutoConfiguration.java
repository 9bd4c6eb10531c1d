package io.parley.spring.boot.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

import io.parley.core.client.ParleyClient;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.ClientTransport;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.spring.internal.AutoConfiguredParleyClientsRegistrar;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of the Parley client: a {@link ParleyClient} for {@code parley.client.targets}
 * (by default the application's own Parley server), and beans for the application's
 * {@link io.parley.spring.ParleyClient @ParleyClient} interfaces.
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class)
@ConditionalOnClass({ ParleyClient.class, RSocketClientTransport.class })
@EnableConfigurationProperties(ParleyProperties.class)
@Import(AutoConfiguredParleyClientsRegistrar.class)
public final class ParleyClientAutoConfiguration {

    @Bean(destroyMethod = "dispose")
    @ConditionalOnMissingBean
    ParleyClient parleyClient(ParleyProperties properties, ObjectProvider<ParleyServerBootstrap> localServer,
            ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<ParleyClientCustomizer> customizers,
            ObjectProvider<SslBundles> sslBundles, Environment environment) {
        ParleyProperties.Client client = properties.getClient();
        ClientTransport transport = ParleyTransports.clientTransport(client, sslBundles);
        if (transport == null) {
            transport = new OwnServerTransport(properties, localServer, environment,
                    ParleyTransports.clientSsl(client, sslBundles));
        }
        JsonMapper mapper = jsonMapper.getIfUnique();
        ParleyClient.Builder builder = ParleyClient.builder()
            .transport(transport)
            .codec((mapper != null) ? JsonCodec.create(mapper) : JsonCodec.create())
            .defaultOptions(ParleyTransports.defaultOptions(client.getTimeout()));
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }
}
