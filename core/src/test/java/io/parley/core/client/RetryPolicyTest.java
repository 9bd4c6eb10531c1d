package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void default_isThreeAttempts_from50msTo1s() {
        assertThat(RetryPolicy.DEFAULT.maxAttempts()).isEqualTo(3);
        assertThat(RetryPolicy.DEFAULT.firstBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(RetryPolicy.DEFAULT.maxBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(RetryPolicy.NONE.maxAttempts()).isEqualTo(1);
        assertThat(RetryPolicy.NONE).hasToString("RetryPolicy{none}");
    }

    @Test
    void backoff_doublesUpToTheMaximum_lessAtMostHalfOfItAsJitter() {
        RetryPolicy policy = RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofMillis(350));
        long[] bases = {100, 200, 350, 350};
        for (int retry = 1; retry <= bases.length; retry++) {
            long base = Duration.ofMillis(bases[retry - 1]).toNanos();
            long min = Long.MAX_VALUE;
            long max = 0;
            for (int i = 0; i < 1000; i++) {
                long backoff = policy.backoffNanos(retry);
                min = Math.min(min, backoff);
                max = Math.max(max, backoff);
            }
            assertThat(min).as("retry %d", retry).isGreaterThanOrEqualTo(base / 2);
            assertThat(max).as("retry %d", retry).isLessThanOrEqualTo(base);
            assertThat(max - min).as("retry %d: jittered", retry).isPositive();
        }
    }

    @Test
    void backoff_ofManyRetries_doesNotOverflow() {
        RetryPolicy policy = RetryPolicy.of(Integer.MAX_VALUE, Duration.ofMillis(1), Duration.ofDays(365 * 1000));

        assertThat(policy.backoffNanos(1000)).isPositive().isLessThanOrEqualTo(Long.MAX_VALUE);
    }

    @Test
    void of_badValues_areRejectedStatingValueAndExpectation() {
        assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ofMillis(50), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts: 0 (expected: >= 1)");
        assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("firstBackoff: PT0S (expected: > 0)");
        assertThatThrownBy(() -> RetryPolicy.of(3, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBackoff: PT1S (expected: >= firstBackoff, PT2S)");
        assertThatThrownBy(() -> RetryPolicy.DEFAULT.withMaxAttempts(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalPolicies_areEqual() {
        RetryPolicy policy = RetryPolicy.of(3, Duration.ofMillis(50), Duration.ofSeconds(1));

        assertThat(policy).isEqualTo(RetryPolicy.DEFAULT).hasSameHashCodeAs(RetryPolicy.DEFAULT);
        assertThat(policy.withMaxAttempts(4)).isNotEqualTo(RetryPolicy.DEFAULT);
        assertThat(policy.withMaxAttempts(4)).hasToString("RetryPolicy{maxAttempts=4, backoff=PT0.05S..PT1S}");
    }
}
