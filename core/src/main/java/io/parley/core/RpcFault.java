package io.parley.core;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The error a call ends with when it is aborted or fails: the client's {@code Mono} errors with
 * it, and a server handler may throw it (or return {@code Mono.error(...)}) to abort its call
 * with a chosen code.
 *
 * <p>A fault carries a nonzero unsigned 32-bit fault code, which reaches the client unchanged: a
 * well-known {@link RpcStatus} or an application's own value.
 *
 * <pre>{@code
 * client.call("transfer", order, Receipt.class)
 *       .onErrorResume(RpcFault.class, fault -> fault.faultCode() == 5
 *               ? Mono.just(Receipt.denied())
 *               : Mono.error(fault));
 * }</pre>
 */
public class RpcFault extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int faultCode;
    private final @Nullable String detail;

    /**
     * Creates a fault with the given code.
     *
     * @param faultCode a nonzero code, read as unsigned
     * @throws IllegalArgumentException if {@code faultCode} is 0
     */
    public RpcFault(int faultCode) {
        this(faultCode, null, null);
    }

    /**
     * Creates a fault with the given code and a detail message that travels with it.
     *
     * @param faultCode a nonzero code, read as unsigned
     * @param detail what went wrong, for the reader of the fault
     * @throws IllegalArgumentException if {@code faultCode} is 0
     */
    public RpcFault(int faultCode, @Nullable String detail) {
        this(faultCode, detail, null);
    }

    /**
     * Creates a fault with a cause that stays on this side: the cause never crosses the wire.
     *
     * @param faultCode a nonzero code, read as unsigned
     * @param detail what went wrong, for the reader of the fault
     * @param cause the local cause, or {@code null}
     * @throws IllegalArgumentException if {@code faultCode} is 0
     */
    public RpcFault(int faultCode, @Nullable String detail, @Nullable Throwable cause) {
        super(message(faultCode, detail), cause);
        if (faultCode == 0) {
            throw new IllegalArgumentException("faultCode: 0 (expected: nonzero; 0 is RPC_S_OK)");
        }
        this.faultCode = faultCode;
        this.detail = detail;
    }

    /**
     * Creates a fault for a status.
     *
     * @param status a status other than {@link RpcStatus#OK}
     * @param detail what went wrong, or {@code null}
     */
    public RpcFault(RpcStatus status, @Nullable String detail) {
        this(Objects.requireNonNull(status, "status").value(), detail, null);
    }

    /**
     * Creates a fault for a status, with a cause that stays on this side.
     *
     * @param status a status other than {@link RpcStatus#OK}
     * @param detail what went wrong, or {@code null}
     * @param cause the local cause, or {@code null}
     */
    public RpcFault(RpcStatus status, @Nullable String detail, @Nullable Throwable cause) {
        this(Objects.requireNonNull(status, "status").value(), detail, cause);
    }

    /** The fault code as a Java {@code int}; read it as unsigned. */
    public int faultCode() {
        return faultCode;
    }

    /** The fault code as a status, well-known or the application's own. */
    public RpcStatus status() {
        return RpcStatus.of(faultCode);
    }

    /** The detail message that came with the fault, or {@code null}. */
    public @Nullable String detail() {
        return detail;
    }

    private static String message(int faultCode, @Nullable String detail) {
        String status = RpcStatus.of(faultCode).toString();
        return detail == null || detail.isEmpty() ? status : status + ": " + detail;
    }
}
