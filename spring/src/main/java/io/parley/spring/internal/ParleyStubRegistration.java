package io.parley.spring.internal;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import org.springframework.util.StringUtils;

import io.parley.spring.ParleyStub;

/**
 * Registers a {@link ParleyStubFactoryBean} per stub interface, for {@code @EnableParleyStubs}
 * and for Boot's auto-configuration alike. An interface already registered, by either of them,
 * is left alone.
 */
public final class ParleyStubRegistration {

    /** Bean definition attribute: the name of the client interface the definition makes. */
    static final String CLIENT_INTERFACE_ATTRIBUTE = ParleyStubRegistration.class.getName() + ".clientInterface";

    private final BeanDefinitionRegistry registry;
    private final Environment environment;
    private final ResourceLoader resourceLoader;
    private final Set<String> registered = new HashSet<>();

    /**
     * A registration into the given registry, aware of the stubs registered there before.
     *
     * @param registry where the bean definitions go
     * @param environment resolves placeholders in package names
     * @param resourceLoader loads the classes scanned
     */
    public ParleyStubRegistration(BeanDefinitionRegistry registry, Environment environment, ResourceLoader resourceLoader) {
        this.registry = registry;
        this.environment = environment;
        this.resourceLoader = resourceLoader;
        for (String name : registry.getBeanDefinitionNames()) {
            Object iface = registry.getBeanDefinition(name).getAttribute(CLIENT_INTERFACE_ATTRIBUTE);
            if (iface instanceof String) {
                registered.add((String) iface);
            }
        }
    }

    /**
     * Registers the given interfaces and those found in the given packages.
     *
     * @param basePackages packages to scan, sub-packages included
     * @param clients interfaces to register without scanning
     */
    public void register(Collection<String> basePackages, Collection<Class<?>> clients) {
        for (Class<?> client : clients) {
            register(client);
        }
        ClassPathScanningCandidateComponentProvider scanner = scanner();
        for (String basePackage : basePackages) {
            for (BeanDefinition candidate : scanner.findCandidateComponents(basePackage)) {
                String className = candidate.getBeanClassName();
                if (className != null && !registered.contains(className)) {
                    register(ClassUtils.resolveClassName(className, resourceLoader.getClassLoader()));
                }
            }
        }
    }

    private void register(Class<?> clientInterface) {
        if (!registered.add(clientInterface.getName())) {
            return;
        }
        // Fails now, naming the method, rather than when the bean is first wanted.
        ParleyStubProxies.check(clientInterface);
        ParleyStub annotation = AnnotatedElementUtils.findMergedAnnotation(clientInterface, ParleyStub.class);
        String beanName = annotation != null && !annotation.value().isEmpty() ? annotation.value()
                : StringUtils.uncapitalize(clientInterface.getSimpleName());
        RootBeanDefinition definition = new RootBeanDefinition(ParleyStubFactoryBean.class);
        definition.getConstructorArgumentValues().addIndexedArgumentValue(0, clientInterface);
        definition.getPropertyValues().add("clientBeanName", annotation != null ? annotation.client() : null);
        // The bean's type is known before it is made, so injection by interface finds it.
        definition.setAttribute(FactoryBean.OBJECT_TYPE_ATTRIBUTE, clientInterface);
        definition.setTargetType(ResolvableType.forClassWithGenerics(ParleyStubFactoryBean.class, clientInterface));
        definition.setAttribute(CLIENT_INTERFACE_ATTRIBUTE, clientInterface.getName());
        registry.registerBeanDefinition(beanName, definition);
    }

    private ClassPathScanningCandidateComponentProvider scanner() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false, environment) {
            @Override
            protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
                // Interfaces are what we are after; a class marked @ParleyStub is reported, not skipped.
                return definition.getMetadata().isIndependent() && !definition.getMetadata().isAnnotation();
            }
        };
        scanner.setResourceLoader(resourceLoader);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ParleyStub.class));
        return scanner;
    }
}
