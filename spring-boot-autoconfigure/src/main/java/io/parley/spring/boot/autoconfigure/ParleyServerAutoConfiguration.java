package io.parley.spring.boot.autoconfigure;

import java.time.Duration;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.reactor.netty.NettyRouteProvider;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import io.parley.core.codec.CborCodec;
import io.parley.core.codec.Codec;
import io.parley.core.codec.JsonCodec;
import io.parley.core.server.AccessRule;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerInterceptor;
import io.parley.core.server.CancelCostListener;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketServerTransport;
import io.parley.rsocket.RSocketWebSocketRoute;
import io.parley.spring.ParleyService;
import io.parley.spring.internal.ParleyServiceMethods;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.cbor.CBORMapper;

/**
 * Auto-configuration of the Parley server: the application's {@link ParleyService @ParleyService}
 * methods and {@link ServerMethod} beans, served on {@code parley.server.port}, or over WebSocket
 * on the application's own WebFlux server at {@code parley.server.mapping-path}. The application's
 * {@link ServerInterceptor} beans run around every call, in their order. The server speaks the
 * application's {@link Codec} beans, plus JSON and CBOR (on the application's {@link JsonMapper}
 * and {@link CBORMapper} when it has them) unless a bean of the same MIME type replaces them.
 */
@AutoConfiguration
@ConditionalOnClass({ ParleyServer.class, RSocketServerTransport.class })
@ConditionalOnBooleanProperty(name = "parley.server.enabled", matchIfMissing = true)
@Conditional(ParleyServerAutoConfiguration.OnParleyMethodsCondition.class)
@EnableConfigurationProperties(ParleyProperties.class)
public final class ParleyServerAutoConfiguration {

    private static final Duration DEFAULT_SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(30);

    @Bean
    @ConditionalOnMissingBean
    ParleyServerBootstrap parleyServerBootstrap(ParleyProperties properties, ListableBeanFactory beanFactory,
            ObjectProvider<ServerMethod<?, ?>> serverMethods, ObjectProvider<Codec> codecs,
            ObjectProvider<JsonMapper> jsonMapper, ObjectProvider<CBORMapper> cborMapper,
            ObjectProvider<ServerInterceptor> interceptors,
            ObjectProvider<ParleyServerCustomizer> customizers, ObjectProvider<CancelCostListener> cancelCostListener,
            ObjectProvider<SslBundles> sslBundles, ObjectProvider<RSocketWebSocketRoute> route, Environment environment) {
        ParleyProperties.Server server = properties.getServer();
        ParleyServer.Builder builder = ParleyServer.builder();
        builder.methods(ParleyServiceMethods.collect(beanFactory));
        serverMethods.orderedStream().forEach((method) -> {
            try {
                builder.method(method);
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalStateException("ServerMethod bean '" + method.name()
                        + "' has the name of a method already served (expected: one method per name)", ex);
            }
        });
        codecs.orderedStream().forEach(builder::codec);
        if (codecs.stream().noneMatch((codec) -> JsonCodec.MIME_TYPE.equals(codec.mimeType()))) {
            JsonMapper mapper = jsonMapper.getIfUnique();
            builder.codec((mapper != null) ? JsonCodec.create(mapper) : JsonCodec.create());
        }
        // CBOR is what Boot's RSocketRequester.Builder speaks unless told otherwise.
        if (codecs.stream().noneMatch((codec) -> CborCodec.MIME_TYPE.equals(codec.mimeType()))) {
            CBORMapper mapper = cborMapper.getIfUnique();
            builder.codec((mapper != null) ? CborCodec.create(mapper) : CborCodec.create());
        }
        builder.maxInboundPayloadSize(ParleyTransports.maxInboundPayloadSize(server));
        Integer maxCalls = ParleyTransports.maxCallsPerConnection(server);
        if (maxCalls != null) {
            builder.maxCallsPerConnection(maxCalls);
        }
        ParleyTransports.operations(server, builder);
        CancelCostListener cancelCosts = cancelCostListener.getIfUnique();
        if (cancelCosts != null) {
            builder.cancelCosts(cancelCosts);
        }
        if (server.getSecurity().isRequireAuthentication()) {
            builder.access(AccessRule.authenticated());
        }
        String mappingPath = ParleyTransports.mappingPath(server);
        if (mappingPath != null) {
            RSocketWebSocketRoute webSocketRoute = route.getIfAvailable();
            if (webSocketRoute == null) {
                throw ParleyTransports.invalid("parley.server.mapping-path", mappingPath,
                        "expected a reactive web application on Reactor Netty (WebFlux) to serve the path on; "
                                + "without one, leave it unset and use parley.server.port");
            }
            builder.transport(webSocketRoute);
        }
        else {
            builder.transport(ParleyTransports.serverTransport(server, sslBundles));
        }
        interceptors.orderedStream().forEach(builder::interceptor);
        customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
        Duration phaseTimeout = Binder.get(environment)
            .bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
            .orElseGet(() -> DEFAULT_SHUTDOWN_PHASE_TIMEOUT);
        return new ParleyServerBootstrap(builder, phaseTimeout,
                (mappingPath != null) ? ParleyServerBootstrap.ROUTE_PHASE : ParleyServerBootstrap.STANDALONE_PHASE);
    }

    /** Serves Parley over WebSocket at {@code parley.server.mapping-path} on the WebFlux server. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = Type.REACTIVE)
    @ConditionalOnClass({ NettyRouteProvider.class, HttpServerRoutes.class })
    @ConditionalOnProperty("parley.server.mapping-path")
    static class WebSocketRouteConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RSocketWebSocketRoute parleyWebSocketRoute(ParleyProperties properties) {
            String path = ParleyTransports.mappingPath(properties.getServer());
            return RSocketWebSocketRoute.at((path != null) ? path : "/");
        }

        @Bean
        @ConditionalOnMissingBean(name = "parleyWebSocketRouteProvider")
        NettyRouteProvider parleyWebSocketRouteProvider(RSocketWebSocketRoute route) {
            return route::addTo;
        }
    }

    /** Matches when the application has something to serve. */
    static class OnParleyMethodsCondition extends AnyNestedCondition {

        OnParleyMethodsCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(annotation = ParleyService.class)
        static class HasParleyServices {

        }

        @ConditionalOnBean(ServerMethod.class)
        static class HasServerMethods {

        }
    }
}
