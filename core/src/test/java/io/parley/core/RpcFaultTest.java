package io.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RpcFaultTest {

    @Test
    void faultCodeZero_isRejectedNamingValueAndExpectation() {
        assertThatThrownBy(() -> new RpcFault(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("faultCode: 0")
                .hasMessageContaining("expected: nonzero");
        assertThatThrownBy(() -> new RpcFault(0, "detail"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("faultCode: 0");
        assertThatThrownBy(() -> new RpcFault(0, "detail", new IOException()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("faultCode: 0");
    }

    @Test
    void okStatus_isRejectedAsFault() {
        assertThatThrownBy(() -> new RpcFault(RpcStatus.OK, "detail"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("faultCode: 0")
                .hasMessageContaining("RPC_S_OK");
        assertThatThrownBy(() -> new RpcFault(RpcStatus.OK, null, new IOException()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullStatus_isRejectedNamingTheParameter() {
        assertThatThrownBy(() -> new RpcFault((RpcStatus) null, "detail"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("status");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 42, 1818, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF})
    void faultCode_isCarriedExactly(int code) {
        RpcFault fault = new RpcFault(code);

        assertThat(fault.faultCode()).isEqualTo(code);
        assertThat(fault.status().value()).isEqualTo(code);
        assertThat(fault.status().unsignedValue()).isEqualTo(Integer.toUnsignedLong(code));
    }

    @Test
    void status_wellKnownCode_mapsToCanonicalConstant() {
        assertThat(new RpcFault(1726).status()).isSameAs(RpcStatus.CALL_FAILED);
        assertThat(new RpcFault(RpcStatus.CALL_CANCELLED, null).status()).isSameAs(RpcStatus.CALL_CANCELLED);
        assertThat(new RpcFault(RpcStatus.BAD_STUB_DATA, "x", null).faultCode()).isEqualTo(1783);
    }

    @Test
    void status_applicationCode_isNotWellKnown() {
        RpcStatus status = new RpcFault(0x80000000).status();

        assertThat(status.isWellKnown()).isFalse();
        assertThat(status.name()).isEqualTo("0x80000000");
    }

    @Test
    void message_containsStatusNameValueAndDetail() {
        RpcFault fault = new RpcFault(RpcStatus.ACCESS_DENIED, "user bob may not transfer");

        assertThat(fault)
                .hasMessageContaining("RPC_S_ACCESS_DENIED")
                .hasMessageContaining("5")
                .hasMessageContaining("user bob may not transfer");
        assertThat(fault.detail()).isEqualTo("user bob may not transfer");
    }

    @Test
    void message_applicationCode_containsHexNameAndDetail() {
        assertThat(new RpcFault(0xFFFFFFFF, "app says no"))
                .hasMessageContaining("0xFFFFFFFF")
                .hasMessageContaining("4294967295")
                .hasMessageContaining("app says no");
    }

    @Test
    void message_withoutDetail_isTheStatus() {
        RpcFault fault = new RpcFault(1818);

        assertThat(fault).hasMessage("RPC_S_CALL_CANCELLED (1818)");
        assertThat(fault.detail()).isNull();
        assertThat(new RpcFault(1818, "")).hasMessage("RPC_S_CALL_CANCELLED (1818)");
    }

    @Test
    void cause_isKept() {
        IOException cause = new IOException("disk on fire");

        RpcFault byCode = new RpcFault(1726, "failed", cause);
        RpcFault byStatus = new RpcFault(RpcStatus.CALL_FAILED, "failed", cause);

        assertThat(byCode).hasCause(cause);
        assertThat(byCode.getCause()).isSameAs(cause);
        assertThat(byStatus.getCause()).isSameAs(cause);
        assertThat(new RpcFault(1726).getCause()).isNull();
    }

    @Test
    void fault_isUncheckedSoHandlersCanThrowIt() {
        assertThat(new RpcFault(5)).isInstanceOf(RuntimeException.class);
    }
}
