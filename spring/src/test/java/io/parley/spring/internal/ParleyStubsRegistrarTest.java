package io.parley.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.type.AnnotationMetadata;

import io.parley.core.client.ParleyClient;
import io.parley.core.server.ServerMethod;
import io.parley.spring.EnableParleyStubs;
import io.parley.spring.internal.scan.broken.Broken;
import io.parley.spring.internal.scan.stubs.DefaultScanConfig;
import io.parley.spring.internal.scan.stubs.Greetings;
import io.parley.spring.internal.scan.stubs.SecondGreetings;
import io.parley.spring.internal.scan.explicit.Pinger;
import io.parley.test.ParleyExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class ParleyStubsRegistrarTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Two servers of the same method, told apart by their replies, and a client of each. */
    @RegisterExtension
    final ParleyExtension first = ParleyExtension.inProcess()
            .method(ServerMethod.mono("hello", String.class, name -> Mono.just("A: hello " + name)));
    @RegisterExtension
    final ParleyExtension second = ParleyExtension.inProcess()
            .method(ServerMethod.mono("hello", String.class, name -> Mono.just("B: hello " + name)));
    private ApplicationContextRunner runner;

    @BeforeEach
    void start() {
        runner = new ApplicationContextRunner()
                .withBean("firstClient", ParleyClient.class, first::client, definition -> definition.setPrimary(true))
                .withBean("secondClient", ParleyClient.class, second::client);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableParleyStubs(basePackageClasses = Greetings.class)
    static class ScanConfig {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableParleyStubs(stubs = Pinger.class)
    static class ExplicitConfig {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableParleyStubs(basePackages = "io.parley.spring.internal.scan.broken")
    static class BrokenConfig {
    }

    @Configuration(proxyBeanMethods = false)
    @EnableParleyStubs(basePackageClasses = Greetings.class, stubs = Greetings.class)
    static class ScanAndNameConfig {
    }

    @Test
    void enableParleyClients_scansTheNamedPackage_andMakesEachInterfaceAnInjectableBean() {
        runner.withUserConfiguration(ScanConfig.class).run(context -> {
            assertThat(context).hasSingleBean(Greetings.class).hasSingleBean(SecondGreetings.class).doesNotHaveBean(Pinger.class);
            assertThat(context).hasBean("greetings").hasBean("greetingsFromB");
            StepVerifier.create(context.getBean(Greetings.class).hello("Ann"))
                    .expectNext("A: hello Ann").expectComplete().verify(TIMEOUT);
        });
    }

    @Test
    void clientAttribute_selectsTheParleyClientBeanByName() {
        runner.withUserConfiguration(ScanConfig.class).run(context -> StepVerifier
                .create(context.getBean(SecondGreetings.class).greet("Bob"))
                .expectNext("B: hello Bob").expectComplete().verify(TIMEOUT));
    }

    @Test
    void clientsAttribute_registersTheNamedInterfaces_withoutScanning() {
        runner.withUserConfiguration(ExplicitConfig.class).run(context -> {
            assertThat(context).hasSingleBean(Pinger.class).hasBean("pinger").doesNotHaveBean(Greetings.class);
            StepVerifier.create(context.getBean(Pinger.class).ping("Cy"))
                    .expectNext("A: hello Cy").expectComplete().verify(TIMEOUT);
        });
    }

    @Test
    void withoutAttributes_thePackageOfTheAnnotatedClassIsScanned() {
        DefaultListableBeanFactory registry = new DefaultListableBeanFactory();
        new ParleyStubsRegistrar().registerBeanDefinitions(AnnotationMetadata.introspect(Greetings.class), registry);
        // Greetings is not annotated @EnableParleyStubs: nothing to read, nothing registered.
        assertThat(registry.getBeanDefinitionNames()).isEmpty();

        new ParleyStubsRegistrar().registerBeanDefinitions(AnnotationMetadata.introspect(DefaultScanConfig.class), registry);
        assertThat(registry.getBeanNamesForType(Greetings.class, true, false)).containsExactly("greetings");
    }

    @Test
    void interfaceNamedTwice_isRegisteredOnce() {
        runner.withUserConfiguration(ScanAndNameConfig.class, ScanConfig.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Greetings.class);
            assertThat(context.getBeanNamesForType(Greetings.class)).containsExactly("greetings");
        });
    }

    @Test
    void beanTypeIsKnownBeforeTheBeanIsMade_soInjectionByInterfaceFindsIt() {
        DefaultListableBeanFactory registry = new DefaultListableBeanFactory();
        new ParleyStubsRegistrar().registerBeanDefinitions(AnnotationMetadata.introspect(ScanConfig.class), registry);

        assertThat(registry.getBeanNamesForType(Greetings.class, true, false)).containsExactly("greetings");
        assertThat(registry.getBeanNamesForType(SecondGreetings.class, true, false)).containsExactly("greetingsFromB");
        assertThat(registry.getType("greetings", false)).isEqualTo(Greetings.class);
        assertThat(registry.getSingletonNames()).isEmpty();
    }

    @Test
    void unsupportedInterface_failsTheContext_namingTheMethod() {
        runner.withUserConfiguration(BrokenConfig.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("@ParleyStub method Broken.many(String)")
                    .hasMessageContaining("it returns List");
        });
    }

    static class UsesSecondGreetings {
        UsesSecondGreetings(SecondGreetings greetings) {
        }
    }

    @Test
    void missingClientBean_failsTheContext_whenTheInterfaceIsInjected() {
        new ApplicationContextRunner().withBean("firstClient", ParleyClient.class, first::client)
                .withUserConfiguration(ScanConfig.class)
                .withBean(UsesSecondGreetings.class)
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .hasStackTraceContaining("No bean named 'secondClient' available"));
    }

    @Test
    void clientBeanIsLookedUpWhenTheInterfaceIsFirstWanted_notAtStartup() {
        new ApplicationContextRunner().withUserConfiguration(ScanConfig.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeanFactory().containsBeanDefinition("greetings")).isTrue();
                });
    }
}
