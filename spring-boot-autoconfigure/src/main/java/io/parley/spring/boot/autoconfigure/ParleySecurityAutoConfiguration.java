package io.parley.spring.boot.autoconfigure;

import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UserDetailsRepositoryReactiveAuthenticationManager;
import org.springframework.security.core.userdetails.ReactiveUserDetailsPasswordService;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtReactiveAuthenticationManager;
import org.springframework.security.oauth2.server.resource.authentication.ReactiveJwtAuthenticationConverter;
import org.springframework.util.ClassUtils;

import io.parley.core.server.ParleyServer;
import io.parley.spring.security.SecurityContextInterceptor;
import io.parley.spring.security.SpringSecurityAuthenticator;

/**
 * Auto-configuration of Spring Security for the Parley server: when the application has a
 * {@link ReactiveAuthenticationManager}, a {@link ReactiveUserDetailsService} or a
 * {@code ReactiveJwtDecoder} bean, the credentials of Parley calls are checked with it, and
 * handlers find the caller through {@code ReactiveSecurityContextHolder} (so {@code @PreAuthorize}
 * works on reactive {@code @ParleyMethod} methods with {@code @EnableReactiveMethodSecurity}).
 *
 * <p>A username and a password go to the application's {@code ReactiveAuthenticationManager},
 * else to a {@link UserDetailsRepositoryReactiveAuthenticationManager} over its
 * {@code ReactiveUserDetailsService} (with its {@code PasswordEncoder}, if it has one). A bearer
 * token goes to a {@link JwtReactiveAuthenticationManager} over its {@code ReactiveJwtDecoder}
 * (with its {@code ReactiveJwtAuthenticationConverter}, if it has one), else to its
 * {@code ReactiveAuthenticationManager}. A {@link SpringSecurityAuthenticator} bean of the
 * application's own replaces the one made here; {@code parley.server.security.enabled=false}
 * turns it all off.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration" })
@ConditionalOnClass({ ParleyServer.class, ReactiveAuthenticationManager.class })
@ConditionalOnBooleanProperty(name = "parley.server.security.enabled", matchIfMissing = true)
@Conditional(ParleySecurityAutoConfiguration.OnAuthenticationCondition.class)
public final class ParleySecurityAutoConfiguration {

    /**
     * The order of the customizer that sets the authenticator: before the application's own
     * customizers (unordered ones come last), so that one of them can replace it.
     */
    static final int CUSTOMIZER_ORDER = 0;

    private static final String JWT_DECODER = "org.springframework.security.oauth2.jwt.ReactiveJwtDecoder";

    private static final String BEARER_TOKEN =
            "org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken";

    @Bean
    @ConditionalOnMissingBean
    SpringSecurityAuthenticator parleyAuthenticator(ObjectProvider<ReactiveAuthenticationManager> managers,
            ObjectProvider<ReactiveUserDetailsService> users, ObjectProvider<PasswordEncoder> passwordEncoder,
            ObjectProvider<ReactiveUserDetailsPasswordService> passwordService, ListableBeanFactory beanFactory) {
        ReactiveAuthenticationManager manager = managers.getIfUnique();
        ReactiveAuthenticationManager basic = manager;
        if (basic == null) {
            ReactiveUserDetailsService userDetails = users.getIfUnique();
            if (userDetails != null) {
                UserDetailsRepositoryReactiveAuthenticationManager repository =
                        new UserDetailsRepositoryReactiveAuthenticationManager(userDetails);
                passwordEncoder.ifUnique(repository::setPasswordEncoder);
                passwordService.ifUnique(repository::setUserDetailsPasswordService);
                basic = repository;
            }
        }
        ReactiveAuthenticationManager bearer = null;
        ClassLoader classLoader = getClass().getClassLoader();
        if (ClassUtils.isPresent(BEARER_TOKEN, classLoader)) {
            if (ClassUtils.isPresent(JWT_DECODER, classLoader)) {
                bearer = JwtAuthentication.manager(beanFactory);
            }
            if (bearer == null) {
                bearer = manager;
            }
        }
        if (basic == null && bearer == null) {
            throw new IllegalStateException("Parley's Spring Security authentication found no single bean to check "
                    + "credentials with: " + beanFactory.getBeanNamesForType(ReactiveAuthenticationManager.class).length
                    + " ReactiveAuthenticationManager, " + beanFactory.getBeanNamesForType(ReactiveUserDetailsService.class).length
                    + " ReactiveUserDetailsService (expected one of either, or one marked @Primary; or a "
                    + "SpringSecurityAuthenticator bean of the application's own; or parley.server.security.enabled=false)");
        }
        if (basic == null) {
            return SpringSecurityAuthenticator.bearer(Objects.requireNonNull(bearer));
        }
        SpringSecurityAuthenticator authenticator = SpringSecurityAuthenticator.basic(basic);
        return (bearer != null) ? authenticator.withBearer(bearer) : authenticator;
    }

    @Bean
    @Order(CUSTOMIZER_ORDER)
    @ConditionalOnMissingBean(name = "parleySecurityCustomizer")
    ParleyServerCustomizer parleySecurityCustomizer(SpringSecurityAuthenticator authenticator) {
        return (builder) -> builder.authenticator(authenticator).interceptor(new SecurityContextInterceptor());
    }

    /** The JWT classes, apart, so that this configuration loads without OAuth2's JOSE module. */
    private static final class JwtAuthentication {

        static @Nullable ReactiveAuthenticationManager manager(ListableBeanFactory beanFactory) {
            ReactiveJwtDecoder decoder = beanFactory.getBeanProvider(ReactiveJwtDecoder.class).getIfUnique();
            if (decoder == null) {
                return null;
            }
            JwtReactiveAuthenticationManager manager = new JwtReactiveAuthenticationManager(decoder);
            ReactiveJwtAuthenticationConverter converter =
                    beanFactory.getBeanProvider(ReactiveJwtAuthenticationConverter.class).getIfUnique();
            if (converter != null) {
                manager.setJwtAuthenticationConverter(converter);
            }
            return manager;
        }
    }

    /** Matches when the application has something to check credentials with. */
    static class OnAuthenticationCondition extends AnyNestedCondition {

        OnAuthenticationCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBean(ReactiveAuthenticationManager.class)
        static class HasAuthenticationManager {

        }

        @ConditionalOnBean(ReactiveUserDetailsService.class)
        static class HasUserDetailsService {

        }

        @ConditionalOnBean(type = JWT_DECODER)
        static class HasJwtDecoder {

        }
    }
}
