package io.parley.spring.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.ResourceLoaderAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.annotation.AnnotationAttributes;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import io.parley.spring.EnableParleyStubs;

/**
 * Registers the {@link io.parley.spring.ParleyStub @ParleyStub} interfaces that
 * {@link EnableParleyStubs @EnableParleyStubs} names, each as a {@link ParleyStubFactoryBean}.
 */
public final class ParleyStubsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, ResourceLoaderAware {

    private Environment environment = new StandardEnvironment();
    private ResourceLoader resourceLoader = new DefaultResourceLoader();

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
        @Nullable Map<String, @Nullable Object> map = metadata.getAnnotationAttributes(EnableParleyStubs.class.getName());
        AnnotationAttributes attributes = AnnotationAttributes.fromMap(map);
        if (attributes == null) {
            return;
        }
        Set<String> packages = new LinkedHashSet<>();
        for (String basePackage : attributes.getStringArray("basePackages")) {
            if (StringUtils.hasText(basePackage)) {
                packages.add(basePackage.trim());
            }
        }
        for (Class<?> type : attributes.getClassArray("basePackageClasses")) {
            packages.add(ClassUtils.getPackageName(type));
        }
        List<Class<?>> clients = new ArrayList<>(Arrays.asList(attributes.getClassArray("stubs")));
        if (packages.isEmpty() && clients.isEmpty()) {
            packages.add(ClassUtils.getPackageName(metadata.getClassName()));
        }
        new ParleyStubRegistration(registry, environment, resourceLoader).register(packages, clients);
    }
}
