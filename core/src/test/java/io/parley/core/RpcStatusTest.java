package io.parley.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RpcStatusTest {

    /** Design §3: the status code table, as the Windows headers number them. */
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "RPC_S_OK,                      0",
            "RPC_S_ACCESS_DENIED,           5",
            "RPC_S_OUT_OF_MEMORY,          14",
            "RPC_S_INVALID_ARG,            87",
            "RPC_S_ASYNC_CALL_PENDING,    997",
            "RPC_S_SERVER_OUT_OF_MEMORY, 1130",
            "RPC_S_TIMEOUT,              1460",
            "RPC_S_INVALID_BINDING,      1702",
            "RPC_S_UNKNOWN_IF,           1717",
            "RPC_S_SERVER_UNAVAILABLE,   1722",
            "RPC_S_SERVER_TOO_BUSY,      1723",
            "RPC_S_NO_CALL_ACTIVE,       1725",
            "RPC_S_CALL_FAILED,          1726",
            "RPC_S_CALL_FAILED_DNE,      1727",
            "RPC_S_PROTOCOL_ERROR,       1728",
            "RPC_S_PROCNUM_OUT_OF_RANGE, 1745",
            "RPC_X_BAD_STUB_DATA,        1783",
            "RPC_S_CALL_IN_PROGRESS,     1791",
            "RPC_S_CALL_CANCELLED,       1818",
            "RPC_S_COMM_FAILURE,         1820",
            "RPC_S_NOT_CANCELLED,        1826",
            "RPC_S_INVALID_ASYNC_HANDLE, 1914",
            "RPC_S_INVALID_ASYNC_CALL,   1915",
    })
    void designTableCode_hasWindowsValueAndSymbolicName(String name, int value) {
        RpcStatus status = RpcStatus.of(value);

        assertThat(status.name()).isEqualTo(name);
        assertThat(status.value()).isEqualTo(value);
        assertThat(status.unsignedValue()).isEqualTo(value);
        assertThat(status.isWellKnown()).isTrue();
        assertThat(status.description()).isNotBlank();
        assertThat(RpcStatus.ofName(name)).isSameAs(status);
        assertThat(RpcStatus.wellKnown()).contains(status);
    }

    @Test
    void constants_carryTheirWindowsValues() {
        assertThat(RpcStatus.OK.value()).isZero();
        assertThat(RpcStatus.ACCESS_DENIED.value()).isEqualTo(5);
        assertThat(RpcStatus.OUT_OF_MEMORY.value()).isEqualTo(14);
        assertThat(RpcStatus.INVALID_ARG.value()).isEqualTo(87);
        assertThat(RpcStatus.ASYNC_CALL_PENDING.value()).isEqualTo(997);
        assertThat(RpcStatus.TIMEOUT.value()).isEqualTo(1460);
        assertThat(RpcStatus.INVALID_BINDING.value()).isEqualTo(1702);
        assertThat(RpcStatus.UNKNOWN_IF.value()).isEqualTo(1717);
        assertThat(RpcStatus.SERVER_UNAVAILABLE.value()).isEqualTo(1722);
        assertThat(RpcStatus.SERVER_TOO_BUSY.value()).isEqualTo(1723);
        assertThat(RpcStatus.NO_CALL_ACTIVE.value()).isEqualTo(1725);
        assertThat(RpcStatus.CALL_FAILED.value()).isEqualTo(1726);
        assertThat(RpcStatus.CALL_FAILED_DNE.value()).isEqualTo(1727);
        assertThat(RpcStatus.PROTOCOL_ERROR.value()).isEqualTo(1728);
        assertThat(RpcStatus.PROCNUM_OUT_OF_RANGE.value()).isEqualTo(1745);
        assertThat(RpcStatus.BAD_STUB_DATA.value()).isEqualTo(1783);
        assertThat(RpcStatus.CALL_IN_PROGRESS.value()).isEqualTo(1791);
        assertThat(RpcStatus.CALL_CANCELLED.value()).isEqualTo(1818);
        assertThat(RpcStatus.COMM_FAILURE.value()).isEqualTo(1820);
        assertThat(RpcStatus.NOT_CANCELLED.value()).isEqualTo(1826);
        assertThat(RpcStatus.INVALID_ASYNC_HANDLE.value()).isEqualTo(1914);
        assertThat(RpcStatus.INVALID_ASYNC_CALL.value()).isEqualTo(1915);
        assertThat(RpcStatus.OUT_OF_RESOURCES.value()).isEqualTo(1721);
    }

    @Test
    void wellKnown_listsEveryConstantOnceInOrderOfValue() {
        assertThat(RpcStatus.wellKnown()).hasSize(24);
        assertThat(RpcStatus.wellKnown().stream().map(RpcStatus::unsignedValue).collect(Collectors.toList()))
                .isSorted()
                .doesNotHaveDuplicates();
    }

    @Test
    void wellKnown_isUnmodifiable() {
        assertThatThrownBy(() -> RpcStatus.wellKnown().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void of_wellKnownValue_returnsCanonicalConstant() {
        assertThat(RpcStatus.of(0)).isSameAs(RpcStatus.OK);
        assertThat(RpcStatus.of(87)).isSameAs(RpcStatus.INVALID_ARG);
        assertThat(RpcStatus.of(1818)).isSameAs(RpcStatus.CALL_CANCELLED);
        assertThat(RpcStatus.of(1914)).isSameAs(RpcStatus.INVALID_ASYNC_HANDLE);
        assertThat(RpcStatus.ofUnsigned(1783L)).isSameAs(RpcStatus.BAD_STUB_DATA);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "1,          1,          0x00000001",
            "42,         42,         0x0000002A",
            "2147483647, 2147483647, 0x7FFFFFFF",
            "-2147483648, 2147483648, 0x80000000",
            "-1,         4294967295, 0xFFFFFFFF",
    })
    void of_applicationCode_roundTripsWithHexName(int value, long unsigned, String hexName) {
        RpcStatus status = RpcStatus.of(value);

        assertThat(status.value()).isEqualTo(value);
        assertThat(status.unsignedValue()).isEqualTo(unsigned);
        assertThat(status.name()).isEqualTo(hexName);
        assertThat(status.isWellKnown()).isFalse();
        assertThat(status.isOk()).isFalse();
        assertThat(RpcStatus.of(status.value())).isEqualTo(status);
        assertThat(RpcStatus.ofUnsigned(status.unsignedValue())).isEqualTo(status);
        assertThat(status.toString()).isEqualTo(hexName + " (" + unsigned + ")");
    }

    @Test
    void unsignedValue_ofAllOnes_is4294967295() {
        assertThat(RpcStatus.of(0xFFFFFFFF).unsignedValue()).isEqualTo(4294967295L);
        assertThat(RpcStatus.of(0x80000000).unsignedValue()).isEqualTo(2147483648L);
    }

    @Test
    void ofUnsigned_atRangeBounds_returnsStatus() {
        assertThat(RpcStatus.ofUnsigned(0L)).isSameAs(RpcStatus.OK);
        assertThat(RpcStatus.ofUnsigned(0xFFFF_FFFFL).value()).isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1L, 0x1_0000_0000L, Long.MIN_VALUE, Long.MAX_VALUE})
    void ofUnsigned_outOfRange_isRejectedStatingValueAndRange(long value) {
        assertThatThrownBy(() -> RpcStatus.ofUnsigned(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(value))
                .hasMessageContaining("expected")
                .hasMessageContaining("0 to 4294967295");
    }

    @Test
    void ofName_wellKnownName_returnsCanonicalConstant() {
        assertThat(RpcStatus.ofName("RPC_S_CALL_CANCELLED")).isSameAs(RpcStatus.CALL_CANCELLED);
        assertThat(RpcStatus.ofName("RPC_X_BAD_STUB_DATA")).isSameAs(RpcStatus.BAD_STUB_DATA);
    }

    @ParameterizedTest
    @ValueSource(strings = {"RPC_S_NO_SUCH_THING", "rpc_s_call_cancelled", "", "0x80000000"})
    void ofName_unknownName_returnsNull(String name) {
        assertThat(RpcStatus.ofName(name)).isNull();
    }

    @Test
    void equals_applicationCodes_compareByValue() {
        RpcStatus a = RpcStatus.of(0x80000000);
        RpcStatus b = RpcStatus.ofUnsigned(2147483648L);

        assertThat(a).isNotSameAs(b);
        assertThat(a).isEqualTo(b);
        assertThat(a).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(RpcStatus.of(0x80000001));
        assertThat(a).isNotEqualTo(null);
        assertThat(a).isNotEqualTo((Object) Integer.valueOf(0x80000000));
    }

    @Test
    void equals_wellKnown_agreesWithIdentity() {
        assertThat(RpcStatus.of(1818)).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(RpcStatus.CALL_CANCELLED).isNotEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(RpcStatus.of(1818).hashCode()).isEqualTo(RpcStatus.CALL_CANCELLED.hashCode());
    }

    @Test
    void toString_wellKnown_isNameAndDecimalValue() {
        assertThat(RpcStatus.CALL_CANCELLED).hasToString("RPC_S_CALL_CANCELLED (1818)");
        assertThat(RpcStatus.OK).hasToString("RPC_S_OK (0)");
    }

    @Test
    void toString_applicationCode_isHexAndUnsignedDecimal() {
        assertThat(RpcStatus.of(0x80000000)).hasToString("0x80000000 (2147483648)");
        assertThat(RpcStatus.of(0xFFFFFFFF)).hasToString("0xFFFFFFFF (4294967295)");
    }

    @Test
    void isOk_onlyForZero() {
        assertThat(RpcStatus.OK.isOk()).isTrue();
        assertThat(RpcStatus.CALL_FAILED.isOk()).isFalse();
        assertThat(RpcStatus.of(1).isOk()).isFalse();
    }

    @Test
    void asFault_onOk_throwsIllegalArgumentException() {
        assertThatThrownBy(RpcStatus.OK::asFault)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("faultCode: 0");
        assertThatThrownBy(() -> RpcStatus.OK.asFault("detail"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("faultCode: 0");
    }

    @Test
    void asFault_onFaultStatus_carriesItsCode() {
        RpcFault fault = RpcStatus.ACCESS_DENIED.asFault();

        assertThat(fault.faultCode()).isEqualTo(5);
        assertThat(fault.status()).isSameAs(RpcStatus.ACCESS_DENIED);
        assertThat(fault.detail()).isNull();
    }

    @Test
    void asFault_withDetail_carriesCodeAndDetail() {
        RpcFault fault = RpcStatus.of(0xFFFFFFFF).asFault("out of widgets");

        assertThat(fault.faultCode()).isEqualTo(0xFFFFFFFF);
        assertThat(fault.detail()).isEqualTo("out of widgets");
        assertThat(fault).hasMessageContaining("0xFFFFFFFF").hasMessageContaining("out of widgets");
    }
}
