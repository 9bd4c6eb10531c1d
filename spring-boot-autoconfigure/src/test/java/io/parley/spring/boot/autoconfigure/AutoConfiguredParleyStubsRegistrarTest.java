package io.parley.spring.boot.autoconfigure;

import static io.parley.test.ParleyAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.parley.core.client.ParleyClient;
import io.parley.core.server.ServerMethod;
import io.parley.spring.EnableParleyStubs;
import io.parley.spring.boot.autoconfigure.stubs.Hellos;
import io.parley.spring.boot.autoconfigure.stubs.explicit.Pings;
import io.parley.test.ParleyExtension;
import reactor.core.publisher.Mono;

/**
 * In a Boot application the {@code @ParleyStub} interfaces of the application's packages become
 * beans without {@code @EnableParleyStubs}, as Spring Data's repositories do; an
 * {@code @EnableParleyStubs} of the application's own decides alone.
 */
class AutoConfiguredParleyStubsRegistrarTest {

    @RegisterExtension
    final ParleyExtension parley = ParleyExtension.inProcess()
            .method(ServerMethod.mono("hello", String.class, name -> Mono.just("hello " + name)));

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withBean(ParleyClient.class, parley::client)
                .withConfiguration(AutoConfigurations.of(StubsAutoConfiguration.class));
    }

    @AutoConfiguration
    @Import(AutoConfiguredParleyStubsRegistrar.class)
    static class StubsAutoConfiguration {
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = Hellos.class)
    static class Application {
    }

    @Configuration(proxyBeanMethods = false)
    @AutoConfigurationPackage(basePackageClasses = Hellos.class)
    @EnableParleyStubs(stubs = Pings.class)
    static class ApplicationNamingItsStubs {
    }

    @Test
    void theApplicationsPackagesAreScanned() {
        runner().withUserConfiguration(Application.class).run(context -> {
            assertThat(context).hasSingleBean(Hellos.class).doesNotHaveBean(Pings.class);
            assertThatCall(context.getBean(Hellos.class).hello("Di")).repliesWith("hello Di");
        });
    }

    @Test
    void withoutAutoConfigurationPackages_nothingIsRegistered() {
        runner().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Hellos.class));
    }

    @Test
    void anEnableParleyStubsOfTheApplication_decidesAlone() {
        runner().withUserConfiguration(ApplicationNamingItsStubs.class).run(context -> {
            assertThat(context).hasSingleBean(Pings.class).doesNotHaveBean(Hellos.class);
            assertThatCall(context.getBean(Pings.class).hello("Di")).repliesWith("hello Di");
        });
    }
}
