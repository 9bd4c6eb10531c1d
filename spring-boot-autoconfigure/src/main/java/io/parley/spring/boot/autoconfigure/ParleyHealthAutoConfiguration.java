package io.parley.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code parley} health indicator: whether the server is bound and
 * accepting calls.
 */
@AutoConfiguration(after = ParleyServerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(ParleyServerBootstrap.class)
@ConditionalOnEnabledHealthIndicator("parley")
public final class ParleyHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "parleyHealthIndicator")
    ParleyHealthIndicator parleyHealthIndicator(ParleyServerBootstrap bootstrap) {
        return new ParleyHealthIndicator(bootstrap);
    }
}
