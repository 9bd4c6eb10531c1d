package io.parley.spring;

import static io.parley.test.ParleyAssertions.assertThatCall;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.transport.InProcessTransport;
import reactor.core.publisher.Mono;

/**
 * The programming model in a plain Spring application, without Boot on the class path of the
 * main code: a {@code @ParleyService} served by a server the application builds with
 * {@link ParleyServices}, called through a {@code @ParleyStub} that {@code @EnableParleyStubs}
 * made into a bean.
 */
class WithoutBootTest {

    @ParleyService
    static class Shouter {

        @ParleyMethod("shout")
        Mono<String> shout(String text) {
            return Mono.just(text.toUpperCase(Locale.ROOT) + "!");
        }
    }

    @ParleyStub
    interface Shouts {

        @ParleyMethod("shout")
        Mono<String> shout(String text);
    }

    @Configuration(proxyBeanMethods = false)
    @EnableParleyStubs(stubs = Shouts.class)
    static class Application {

        @Bean
        Shouter shouter() {
            return new Shouter();
        }

        @Bean(destroyMethod = "dispose")
        ParleyServer parleyServer(ListableBeanFactory beans) {
            return ParleyServer.builder()
                    .methods(ParleyServices.methods(beans))
                    .transport(InProcessTransport.server("without-boot"))
                    .bindNow();
        }

        @Bean(destroyMethod = "dispose")
        ParleyClient parleyClient(ParleyServer server) {
            return ParleyClient.builder().transport(InProcessTransport.client("without-boot")).build();
        }
    }

    @Test
    void aStubCallsAServiceServedFromTheSameContext() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Application.class)) {
            assertThatCall(context.getBean(Shouts.class).shout("hi")).repliesWith("HI!");
            assertThat(ParleyServices.methods(new Shouter())).extracting(method -> method.name()).containsExactly("shout");
        }
    }
}
