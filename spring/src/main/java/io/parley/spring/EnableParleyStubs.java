package io.parley.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Import;

import io.parley.spring.internal.ParleyStubsRegistrar;

/**
 * Makes {@link ParleyStub @ParleyStub} interfaces into beans, from the packages and classes
 * named here. Without attributes it scans the package of the annotated class and its
 * sub-packages.
 *
 * <pre>{@code
 * @SpringBootApplication
 * @EnableParleyStubs(basePackageClasses = Orders.class)
 * class ShopApplication { ... }
 * }</pre>
 *
 * <p>Spring Boot applications rarely need it: without it, the auto-configuration scans the
 * application's own packages (those of {@code @SpringBootApplication}), as it does for Spring
 * Data repositories. With it, that scan is left out and only what is named here is registered.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Import(ParleyStubsRegistrar.class)
public @interface EnableParleyStubs {

    /**
     * Packages to scan for {@code @ParleyStub} interfaces, sub-packages included.
     *
     * @return the package names
     */
    String[] basePackages() default {};

    /**
     * Classes whose packages are scanned for {@code @ParleyStub} interfaces; a type-safe
     * alternative to {@link #basePackages()}.
     *
     * @return classes in the packages to scan
     */
    Class<?>[] basePackageClasses() default {};

    /**
     * Stub interfaces to register without scanning.
     *
     * @return the interfaces
     */
    Class<?>[] stubs() default {};
}
