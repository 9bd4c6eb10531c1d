package io.parley.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;

class ParleyServiceTest {

    @ParleyService("orderService")
    static class Named {
    }

    @ParleyService
    static class Unnamed {
    }

    @Test
    void isAComponent_thatScanningPicksUp() {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(true);

        assertThat(scanner.findCandidateComponents(getClass().getPackageName()))
                .extracting(definition -> definition.getBeanClassName())
                .contains(Named.class.getName(), Unnamed.class.getName());
    }

    @Test
    void value_isTheBeanName() {
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(Named.class, Unnamed.class)) {
            assertThat(context.getBeanNamesForType(Named.class)).containsExactly("orderService");
            assertThat(context.getBeanNamesForType(Unnamed.class)).containsExactly("parleyServiceTest.Unnamed");
        }
    }
}
