package io.parley.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallOptionsTest {

    private static final Duration TWO_S = Duration.ofSeconds(2);
    private static final Duration FIVE_S = Duration.ofSeconds(5);

    @Test
    void default_hasNoBounds() {
        assertThat(CallOptions.DEFAULT.gracefulTimeout()).isNull();
        assertThat(CallOptions.DEFAULT.abortiveTimeout()).isNull();
        assertThat(CallOptions.DEFAULT.serverTimeout()).isNull();
    }

    @Test
    void timeout_abortiveOnly_isTheServerTimeout() {
        CallOptions options = CallOptions.timeout(FIVE_S);

        assertThat(options.gracefulTimeout()).isNull();
        assertThat(options.abortiveTimeout()).isEqualTo(FIVE_S);
        assertThat(options.serverTimeout()).isEqualTo(FIVE_S);
    }

    @Test
    void timeout_gracefulThenAbortive_serverTimeoutIsTheFirstBound() {
        CallOptions options = CallOptions.timeout(TWO_S, FIVE_S);

        assertThat(options.gracefulTimeout()).isEqualTo(TWO_S);
        assertThat(options.abortiveTimeout()).isEqualTo(FIVE_S);
        assertThat(options.serverTimeout()).isEqualTo(TWO_S);
    }

    @Test
    void gracefulTimeout_only_isTheServerTimeout() {
        CallOptions options = CallOptions.gracefulTimeout(TWO_S);

        assertThat(options.gracefulTimeout()).isEqualTo(TWO_S);
        assertThat(options.abortiveTimeout()).isNull();
        assertThat(options.serverTimeout()).isEqualTo(TWO_S);
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -5000})
    void timeout_nonPositiveAbortive_isRejectedStatingValueAndExpectation(long millis) {
        Duration bound = Duration.ofMillis(millis);

        assertThatThrownBy(() -> CallOptions.timeout(bound))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("abortive: " + bound + " (expected: > 0)");
        assertThatThrownBy(() -> CallOptions.timeout(TWO_S, bound))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("abortive: " + bound + " (expected: > 0)");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, -5000})
    void timeout_nonPositiveGraceful_isRejectedStatingValueAndExpectation(long millis) {
        Duration bound = Duration.ofMillis(millis);

        assertThatThrownBy(() -> CallOptions.timeout(bound, FIVE_S))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("graceful: " + bound + " (expected: > 0)");
        assertThatThrownBy(() -> CallOptions.gracefulTimeout(bound))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("graceful: " + bound + " (expected: > 0)");
    }

    @Test
    void timeout_abortiveBeforeGraceful_isRejectedStatingBothBounds() {
        assertThatThrownBy(() -> CallOptions.timeout(FIVE_S, TWO_S))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abortive: PT2S")
                .hasMessageContaining("expected: > graceful")
                .hasMessageContaining("PT5S");
    }

    @Test
    void timeout_abortiveEqualToGraceful_isRejected() {
        assertThatThrownBy(() -> CallOptions.timeout(TWO_S, Duration.ofMillis(2000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("abortive: PT2S")
                .hasMessageContaining("expected: > graceful");
    }

    @Test
    void timeout_nullBound_isRejectedNamingIt() {
        assertThatThrownBy(() -> CallOptions.timeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("abortive");
        assertThatThrownBy(() -> CallOptions.timeout(null, FIVE_S))
                .isInstanceOf(NullPointerException.class).hasMessage("graceful");
        assertThatThrownBy(() -> CallOptions.timeout(TWO_S, null))
                .isInstanceOf(NullPointerException.class).hasMessage("abortive");
        assertThatThrownBy(() -> CallOptions.gracefulTimeout(null))
                .isInstanceOf(NullPointerException.class).hasMessage("graceful");
    }

    @Test
    void equals_sameBounds_areEqualWithSameHashCode() {
        CallOptions a = CallOptions.timeout(TWO_S, FIVE_S);
        CallOptions b = CallOptions.timeout(Duration.ofMillis(2000), Duration.ofMillis(5000));

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(CallOptions.timeout(FIVE_S)).isEqualTo(CallOptions.timeout(FIVE_S))
                .hasSameHashCodeAs(CallOptions.timeout(FIVE_S));
    }

    @Test
    void equals_differentBounds_areNotEqual() {
        CallOptions both = CallOptions.timeout(TWO_S, FIVE_S);

        assertThat(both).isNotEqualTo(CallOptions.timeout(TWO_S, Duration.ofSeconds(6)));
        assertThat(CallOptions.timeout(TWO_S)).isNotEqualTo(CallOptions.gracefulTimeout(TWO_S));
        assertThat(CallOptions.timeout(FIVE_S)).isNotEqualTo(CallOptions.DEFAULT);
        assertThat(both).isNotEqualTo(null);
        assertThat(both).isNotEqualTo("CallOptions");
    }

    @Test
    void toString_showsBothBounds() {
        assertThat(CallOptions.timeout(TWO_S, FIVE_S))
                .hasToString("CallOptions{graceful=PT2S, abortive=PT5S}");
    }

    @Test
    void idempotentAndRetry_areKeptByEveryOtherOption_andCount_inEquality() {
        RetryPolicy none = RetryPolicy.NONE;
        CallOptions options = CallOptions.timeout(TWO_S, FIVE_S).withIdempotent(true).withRetry(none);

        assertThat(CallOptions.DEFAULT.isIdempotent()).isFalse();
        assertThat(CallOptions.DEFAULT.retryPolicy()).as("the client's").isNull();
        assertThat(options.isIdempotent()).isTrue();
        assertThat(options.retryPolicy()).isSameAs(none);
        CallOptions more = options.withMetadata(io.parley.core.CallMetadata.of("a", "b"))
                .withCredentials(io.parley.core.Credentials.bearer("t")).within(Duration.ofSeconds(1));
        assertThat(more.isIdempotent()).isTrue();
        assertThat(more.retryPolicy()).isSameAs(none);
        assertThat(options).isNotEqualTo(CallOptions.timeout(TWO_S, FIVE_S).withRetry(none))
                .isNotEqualTo(CallOptions.timeout(TWO_S, FIVE_S).withIdempotent(true))
                .isEqualTo(CallOptions.timeout(TWO_S, FIVE_S).withRetry(none).withIdempotent(true))
                .hasSameHashCodeAs(CallOptions.timeout(TWO_S, FIVE_S).withRetry(none).withIdempotent(true));
        assertThat(options.toString()).contains("idempotent", "RetryPolicy{none}");
        assertThat(options.withIdempotent(true)).isSameAs(options);
        assertThat(options.withIdempotent(false).isIdempotent()).isFalse();
    }
}
