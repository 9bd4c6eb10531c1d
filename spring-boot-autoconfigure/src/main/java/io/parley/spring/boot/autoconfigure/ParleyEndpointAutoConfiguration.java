package io.parley.spring.boot.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.parley.spring.boot.actuate.ParleyEndpoint;

/**
 * Auto-configuration of the {@code parley} Actuator endpoint ({@link ParleyEndpoint}): the server's
 * calls in flight, and an operator's abort, which Actuator allows only with
 * {@code management.endpoint.parley.access=unrestricted}.
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(ParleyServerBootstrap.class)
@ConditionalOnAvailableEndpoint(ParleyEndpoint.class)
public final class ParleyEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ParleyEndpoint parleyEndpoint(ParleyServerBootstrap bootstrap) {
        return new ParleyEndpoint(bootstrap::getServer);
    }
}
