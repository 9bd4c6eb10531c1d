package io.parley.spring.boot.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

import io.parley.core.Credentials;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.client.ParleyClient;
import io.parley.core.codec.JsonCodec;
import io.parley.core.transport.ClientTransport;
import io.parley.rsocket.RSocketClientTransport;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of the Parley client: a {@link ParleyClient} for {@code parley.client.targets}
 * (by default the application's own Parley server), and beans for the application's
 * {@link io.parley.spring.ParleyStub @ParleyStub} interfaces, which call through it. The
 * application's {@link ClientInterceptor} beans run around every call, in their order.
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class)
@ConditionalOnClass({ ParleyClient.class, RSocketClientTransport.class })
@EnableConfigurationProperties(ParleyProperties.class)
@Import(AutoConfiguredParleyStubsRegistrar.class)
public final class ParleyClientAutoConfiguration {

    @Bean(destroyMethod = "dispose")
    @ConditionalOnMissingBean
    ParleyClient parleyClient(ParleyProperties properties, ObjectProvider<ParleyServerBootstrap> localServer,
            ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<ClientInterceptor> interceptors,
            ObjectProvider<ParleyClientCustomizer> customizers,
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
            .defaultOptions(ParleyTransports.defaultOptions(client.getTimeout()))
            .retry(ParleyTransports.retryPolicy(client.getRetry()));
        Credentials credentials = credentials(client.getCredentials());
        if (credentials != null) {
            builder.credentials(credentials);
        }
        interceptors.orderedStream().forEach(builder::interceptor);
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        return builder.build();
    }

    /** The client's credentials from {@code parley.client.credentials.*}; {@code null} when none are set. */
    static @Nullable Credentials credentials(ParleyProperties.Credentials properties) {
        // Empty is unset, so that a placeholder without a value ('${TOKEN:}') sends no credentials.
        String username = StringUtils.hasLength(properties.getUsername()) ? properties.getUsername() : null;
        String password = StringUtils.hasLength(properties.getPassword()) ? properties.getPassword() : null;
        String token = StringUtils.hasLength(properties.getBearerToken()) ? properties.getBearerToken() : null;
        if (token != null) {
            if (username != null) {
                // The values stay out of the message: one of them is a secret.
                throw ParleyTransports.invalid("parley.client.credentials.bearer-token", "****",
                        "expected either parley.client.credentials.username and .password or a bearer token, not both");
            }
            return Credentials.bearer(token);
        }
        if (username != null) {
            if (password == null) {
                throw ParleyTransports.invalid("parley.client.credentials.password", null,
                        "expected a password for parley.client.credentials.username '" + username + "'");
            }
            return Credentials.basic(username, password);
        }
        if (password != null) {
            throw ParleyTransports.invalid("parley.client.credentials.username", null,
                    "expected a username for parley.client.credentials.password");
        }
        return null;
    }
}
