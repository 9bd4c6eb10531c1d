package io.parley.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.exceptions.RejectedSetupException;

/** The fault text of docs/wire-protocol.md §4, both ways. */
class FaultCodecTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "5          | RPC_S_ACCESS_DENIED (5)",
            "1723       | RPC_S_SERVER_TOO_BUSY (1723)",
            "-1         | 0xFFFFFFFF (4294967295)",
            "-2147483648| 0x80000000 (2147483648)",
            "1          | 0x00000001 (1)"})
    void text_isNameThenUnsignedCode(int code, String text) {
        assertThat(FaultCodec.text(new RpcFault(code))).isEqualTo(text);
    }

    @Test
    void text_withDetail_appendsIt() {
        assertThat(FaultCodec.text(new RpcFault(5, "no such account"))).isEqualTo("RPC_S_ACCESS_DENIED (5): no such account");
    }

    @Test
    void toError_isAnApplicationError() {
        ApplicationErrorException error = FaultCodec.toError(new RpcFault(1818));
        assertThat(error.errorCode()).isEqualTo(0x201);
        assertThat(error.getMessage()).isEqualTo("RPC_S_CALL_CANCELLED (1818)");
    }

    @ParameterizedTest(name = "fault code {0}")
    @ValueSource(ints = {1, 5, 1723, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF})
    void parse_rebuildsTheExactCode(int code) {
        RpcFault fault = FaultCodec.parse(FaultCodec.text(new RpcFault(code, "d: with a colon\nand a line")));
        assertThat(fault).isNotNull();
        assertThat(fault.faultCode()).isEqualTo(code);
        assertThat(fault.detail()).isEqualTo("d: with a colon\nand a line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "boom", "RPC_S_OK (0)", "X (4294967296)", "X (12345678901)", "X(5)", "X (5)x"})
    void parse_textNotInParleysForm_isNull(String text) {
        assertThat(FaultCodec.parse(text)).isNull();
    }

    @Test
    void toFault_foreignApplicationError_isCallFailed_withTheTextAsDetail() {
        RpcFault fault = FaultCodec.toFault(new ApplicationErrorException("something broke"));
        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.detail()).contains("something broke");
    }

    @Test
    void toFault_rejectedSetupInParleysForm_isThatFault() {
        RpcFault fault = FaultCodec.toFault(new RejectedSetupException("RPC_S_PROTOCOL_ERROR (1728): no codec"));
        assertThat(fault.status()).isEqualTo(RpcStatus.PROTOCOL_ERROR);
    }

    @Test
    void toFault_rsocketErrors_mapToStatuses() {
        assertThat(FaultCodec.toFault(new RejectedException("full")).status()).isEqualTo(RpcStatus.SERVER_TOO_BUSY);
        assertThat(FaultCodec.toFault(new ConnectionErrorException("keepalive")).status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(FaultCodec.toFault(new ClosedChannelException()).status()).isEqualTo(RpcStatus.COMM_FAILURE);
        assertThat(FaultCodec.toFault(new ClosedChannelException()).getMessage())
                .as("an error without a message is named by its kind").contains("ClosedChannelException").doesNotContain("null");
        assertThat(FaultCodec.toFault(new RejectedSetupException("not parley")).status()).isEqualTo(RpcStatus.SERVER_UNAVAILABLE);
    }
}
