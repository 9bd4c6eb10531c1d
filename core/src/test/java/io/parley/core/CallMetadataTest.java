package io.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.parley.core.client.CallOptions;
import reactor.util.context.Context;

class CallMetadataTest {

    @Test
    void with_keepsEveryValueOfAName_inOrder_andGetReadsTheFirst() {
        CallMetadata metadata = CallMetadata.of("tenant", "acme").with("tenant", "globex").with("request-id", "r-1");

        assertThat(metadata.get("tenant")).isEqualTo("acme");
        assertThat(metadata.getAll("tenant")).containsExactly("acme", "globex");
        assertThat(metadata.names()).containsExactly("tenant", "request-id");
        assertThat(metadata.size()).isEqualTo(3);
        assertThat(metadata.get("absent")).isNull();
    }

    @Test
    void replacing_dropsTheNamesOtherValues() {
        CallMetadata metadata = CallMetadata.of("traceparent", "a").with("traceparent", "b").replacing("traceparent", "c");

        assertThat(metadata.getAll("traceparent")).containsExactly("c");
    }

    @Test
    void encodedSize_countsTheBytesOfNamesAndValues() {
        CallMetadata metadata = CallMetadata.of("k", "ü").with("blob-bin", new byte[] {1, 2, 3});

        assertThat(metadata.encodedSize()).isEqualTo(1 + 2 + 8 + 3);
    }

    @Test
    void binaryEntries_needABinaryName_andTextEntriesATextOne() {
        assertThatThrownBy(() -> CallMetadata.of("blob-bin", "text")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: a text name");
        assertThatThrownBy(() -> CallMetadata.EMPTY.with("blob", new byte[1])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ending in -bin");
    }

    @Test
    void names_areLowerCaseTokens_neverAMimeType() {
        for (String bad : List.of("", "Tenant", "a/b", "a b", "x".repeat(129), "é")) {
            assertThat(CallMetadata.isValidName(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> CallMetadata.of(bad, "v")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(CallMetadata.isValidName("x-b3.trace_id9")).isTrue();
        assertThat(CallMetadata.isValidName("x".repeat(128))).isTrue();
    }

    @Test
    void binaryValues_areCopied_inAndOut() {
        byte[] value = {1, 2};
        CallMetadata metadata = CallMetadata.EMPTY.with("b-bin", value);
        value[0] = 9;
        metadata.getBytes("b-bin")[1] = 9;

        assertThat(metadata.getBytes("b-bin")).containsExactly(1, 2);
    }

    @Test
    void forEach_handsOverEveryEntry_inOrder() {
        List<String> seen = new ArrayList<>();
        CallMetadata.of("a", "1").with("b", "2").forEach((name, value) ->
                seen.add(name + "=" + StandardCharsets.UTF_8.decode(value)));

        assertThat(seen).containsExactly("a=1", "b=2");
    }

    @Test
    void toString_neverShowsBinaryValues_norCredentialsSecrets() {
        assertThat(CallMetadata.of("a", "1").with("key-bin", new byte[] {42})).hasToString("CallMetadata{a=1, key-bin=[1 bytes]}");
        assertThat(Credentials.basic("alice", "secret").toString()).doesNotContain("secret");
        assertThat(Credentials.bearer("t0ken").toString()).doesNotContain("t0ken");
    }

    @Test
    void equality_isByEntries() {
        assertThat(CallMetadata.of("a", "1")).isEqualTo(CallMetadata.of("a", "1")).hasSameHashCodeAs(CallMetadata.of("a", "1"));
        assertThat(CallMetadata.of("a", "1")).isNotEqualTo(CallMetadata.of("a", "2"));
    }

    @Test
    void deadline_inAContext_isFound_andTheEarlierOfTwoWins() {
        Deadline soon = Deadline.after(Duration.ofSeconds(1));
        Deadline later = Deadline.after(Duration.ofSeconds(5));

        assertThat(Deadline.from(soon.asContext())).isSameAs(soon);
        assertThat(Deadline.from(Context.empty())).isNull();
        assertThat(soon.earlier(later)).isSameAs(soon);
        assertThat(later.earlier(soon)).isSameAs(soon);
        assertThat(Deadline.after(Duration.ofMillis(-1)).isExpired()).isTrue();
        assertThat(later.isExpired()).isFalse();
    }

    @Test
    void callOptions_carryMetadataAndCredentials_andCompareByThem() {
        CallOptions options = CallOptions.timeout(Duration.ofSeconds(2))
                .withMetadata(CallMetadata.of("a", "1"))
                .withMetadata(CallMetadata.of("b", "2"))
                .withCredentials(Credentials.bearer("t"));

        assertThat(options.metadata().names()).containsExactly("a", "b");
        assertThat(options.credentials()).isEqualTo(Credentials.bearer("t"));
        assertThat(options.abortiveTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(options).isNotEqualTo(CallOptions.timeout(Duration.ofSeconds(2)));
        assertThat(options.toString()).contains("CallMetadata{a=1, b=2}", "token=****").doesNotContain("token=t}");
    }
}
