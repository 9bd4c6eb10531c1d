package io.parley.spring.boot.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.autoconfigure.AutoConfigurationPackages;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;

import io.parley.spring.EnableParleyStubs;
import io.parley.spring.internal.ParleyStubRegistration;

/**
 * Registers the {@link io.parley.spring.ParleyStub @ParleyStub} interfaces in the
 * application's auto-configuration packages (those of {@code @SpringBootApplication}), as Spring
 * Data does for repositories, when no {@link EnableParleyStubs @EnableParleyStubs} says which
 * to register. For the auto-configuration to import:
 *
 * <pre>{@code
 * @AutoConfiguration
 * @Import(AutoConfiguredParleyStubsRegistrar.class)
 * public final class ParleyClientAutoConfiguration { ... }
 * }</pre>
 */
final class AutoConfiguredParleyStubsRegistrar
        implements ImportBeanDefinitionRegistrar, BeanFactoryAware, EnvironmentAware, ResourceLoaderAware {

    private @Nullable BeanFactory beanFactory;
    private Environment environment = new StandardEnvironment();
    private ResourceLoader resourceLoader = new DefaultResourceLoader();

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setResourceLoader(ResourceLoader resourceLoader) {
        this.resourceLoader = resourceLoader;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        BeanFactory factory = beanFactory;
        if (factory == null || !AutoConfigurationPackages.has(factory) || enabledExplicitly(registry)) {
            return;
        }
        List<String> packages = AutoConfigurationPackages.get(factory);
        new ParleyStubRegistration(registry, environment, resourceLoader).register(packages, List.of());
    }

    /** Whether a configuration class carries {@code @EnableParleyStubs}, which then decides alone. */
    private static boolean enabledExplicitly(BeanDefinitionRegistry registry) {
        for (String name : registry.getBeanDefinitionNames()) {
            BeanDefinition definition = registry.getBeanDefinition(name);
            if (definition instanceof AnnotatedBeanDefinition annotated
                    && annotated.getMetadata().isAnnotated(EnableParleyStubs.class.getName())) {
                return true;
            }
        }
        return false;
    }
}
