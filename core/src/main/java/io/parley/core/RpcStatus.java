package io.parley.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of an RPC operation, numbered as in the Windows headers ({@code rpcnterr.h},
 * {@code winerror.h}), so a code means the same on both sides of a call and to anyone who knows
 * MS-RPC.
 *
 * <p>A status is an unsigned 32-bit value. The well-known ones are constants of this class; any
 * other nonzero value is an application's own fault code, as {@code RpcAsyncAbortCall} allows.
 * Values are held in a Java {@code int} with unsigned meaning, so {@code 0xFFFFFFFF} and
 * {@code 0x80000000} are written as the literals they are:
 *
 * <pre>{@code
 * RpcStatus status = call.abort(0xFFFFFFFF);           // OK
 * RpcStatus s = RpcStatus.of(1818);                    // RpcStatus.CALL_CANCELLED
 * s.name();                                            // "RPC_S_CALL_CANCELLED"
 * RpcStatus.of(0x80000000).unsignedValue();            // 2147483648L
 * }</pre>
 *
 * <p>Instances are immutable; the well-known ones are canonical, so {@code ==} and
 * {@link #equals(Object)} agree for them. Application codes compare by value.
 */
public final class RpcStatus {

    private static final Map<Integer, RpcStatus> WELL_KNOWN = new LinkedHashMap<>();

    /** RPC_S_OK (0): the operation succeeded. */
    public static final RpcStatus OK = define(0, "RPC_S_OK", "the operation completed successfully");

    /** RPC_S_ACCESS_DENIED (5): the caller lacks the permission the call needs. */
    public static final RpcStatus ACCESS_DENIED = define(5, "RPC_S_ACCESS_DENIED", "access denied");

    /** RPC_S_OUT_OF_MEMORY (14): the server had no memory to carry out the call. */
    public static final RpcStatus OUT_OF_MEMORY = define(14, "RPC_S_OUT_OF_MEMORY", "out of memory");

    /**
     * RPC_S_INVALID_ARG (87): an argument was not valid, for example a fault code of 0 given to
     * {@code abort}. The call is left as it was.
     */
    public static final RpcStatus INVALID_ARG = define(87, "RPC_S_INVALID_ARG", "the argument is invalid");

    /**
     * RPC_S_ASYNC_CALL_PENDING (997): the call has not completed yet; its outcome is not known.
     */
    public static final RpcStatus ASYNC_CALL_PENDING =
            define(997, "RPC_S_ASYNC_CALL_PENDING", "the call has not completed yet");

    /**
     * RPC_S_SERVER_OUT_OF_MEMORY (1130): the server will not take on the call's resources; sent
     * for a request larger than the server's {@code maxInboundPayloadSize}.
     */
    public static final RpcStatus SERVER_OUT_OF_MEMORY = define(1130, "RPC_S_SERVER_OUT_OF_MEMORY",
            "not enough server memory resources are available to process this command");

    /** RPC_S_TIMEOUT (1460): the call's abortive time bound passed before it completed. */
    public static final RpcStatus TIMEOUT = define(1460, "RPC_S_TIMEOUT", "the operation timed out");

    /**
     * RPC_S_INVALID_BINDING (1702): the handle does not name a live call; returned by
     * {@code testCancel} on a call that has already ended.
     */
    public static final RpcStatus INVALID_BINDING = define(1702, "RPC_S_INVALID_BINDING", "the binding handle is invalid");

    /** RPC_S_UNKNOWN_IF (1717): the server does not offer the interface that was called. */
    public static final RpcStatus UNKNOWN_IF = define(1717, "RPC_S_UNKNOWN_IF", "the interface is unknown");

    /**
     * RPC_S_OUT_OF_RESOURCES (1721): a stream's handler pushed items beyond the client's demand
     * and the server's buffer for them.
     */
    public static final RpcStatus OUT_OF_RESOURCES = define(1721, "RPC_S_OUT_OF_RESOURCES",
            "not enough resources are available to complete this operation");

    /** RPC_S_SERVER_UNAVAILABLE (1722): no server could be reached, or it is shutting down. */
    public static final RpcStatus SERVER_UNAVAILABLE =
            define(1722, "RPC_S_SERVER_UNAVAILABLE", "the RPC server is unavailable");

    /** RPC_S_SERVER_TOO_BUSY (1723): the server refused the call because it is at a limit. */
    public static final RpcStatus SERVER_TOO_BUSY =
            define(1723, "RPC_S_SERVER_TOO_BUSY", "the RPC server is too busy to complete this operation");

    /** RPC_S_NO_CALL_ACTIVE (1725): there is no call to act on. */
    public static final RpcStatus NO_CALL_ACTIVE = define(1725, "RPC_S_NO_CALL_ACTIVE", "there is no active call");

    /**
     * RPC_S_CALL_FAILED (1726): the call failed on the server for a reason it does not disclose,
     * such as an unexpected exception in the handler.
     */
    public static final RpcStatus CALL_FAILED = define(1726, "RPC_S_CALL_FAILED", "the remote procedure call failed");

    /** RPC_S_CALL_FAILED_DNE (1727): the call failed and did not execute. */
    public static final RpcStatus CALL_FAILED_DNE =
            define(1727, "RPC_S_CALL_FAILED_DNE", "the remote procedure call failed and did not execute");

    /** RPC_S_PROTOCOL_ERROR (1728): a peer broke the wire protocol, e.g. with malformed metadata. */
    public static final RpcStatus PROTOCOL_ERROR = define(1728, "RPC_S_PROTOCOL_ERROR", "an RPC protocol error occurred");

    /** RPC_S_PROCNUM_OUT_OF_RANGE (1745): the server has no method of the name that was called. */
    public static final RpcStatus PROCNUM_OUT_OF_RANGE =
            define(1745, "RPC_S_PROCNUM_OUT_OF_RANGE", "the procedure number is out of range");

    /** RPC_X_BAD_STUB_DATA (1783): a request or reply could not be encoded or decoded. */
    public static final RpcStatus BAD_STUB_DATA = define(1783, "RPC_X_BAD_STUB_DATA", "the stub received bad data");

    /** RPC_S_CALL_IN_PROGRESS (1791): the call is still running and has not been cancelled. */
    public static final RpcStatus CALL_IN_PROGRESS =
            define(1791, "RPC_S_CALL_IN_PROGRESS", "a remote procedure call is already in progress");

    /** RPC_S_CALL_CANCELLED (1818): the call was cancelled by the client. */
    public static final RpcStatus CALL_CANCELLED = define(1818, "RPC_S_CALL_CANCELLED", "the remote procedure call was cancelled");

    /** RPC_S_COMM_FAILURE (1820): the connection failed while the call was in flight. */
    public static final RpcStatus COMM_FAILURE = define(1820, "RPC_S_COMM_FAILURE", "a communications failure occurred");

    /** RPC_S_NOT_CANCELLED (1826): a cancel was not carried out. */
    public static final RpcStatus NOT_CANCELLED = define(1826, "RPC_S_NOT_CANCELLED", "the thread is not cancelled");

    /**
     * RPC_S_INVALID_ASYNC_HANDLE (1914): the call handle is no longer valid, because the call has
     * already been completed, aborted or (on the client) collected.
     */
    public static final RpcStatus INVALID_ASYNC_HANDLE =
            define(1914, "RPC_S_INVALID_ASYNC_HANDLE", "invalid asynchronous remote procedure call handle");

    /** RPC_S_INVALID_ASYNC_CALL (1915): the operation is not valid for this asynchronous call. */
    public static final RpcStatus INVALID_ASYNC_CALL =
            define(1915, "RPC_S_INVALID_ASYNC_CALL", "invalid asynchronous RPC call handle for this operation");

    private final int value;
    private final String name;
    private final String description;
    private final boolean wellKnown;

    private RpcStatus(int value, String name, String description, boolean wellKnown) {
        this.value = value;
        this.name = name;
        this.description = description;
        this.wellKnown = wellKnown;
    }

    private static RpcStatus define(int value, String name, String description) {
        RpcStatus status = new RpcStatus(value, name, description, true);
        WELL_KNOWN.put(value, status);
        return status;
    }

    /**
     * Returns the status for a value: the well-known constant if there is one, otherwise an
     * application fault code. Every {@code int} is valid, read as unsigned.
     *
     * @param value the status value, unsigned 32-bit
     * @return the status
     */
    public static RpcStatus of(int value) {
        RpcStatus known = WELL_KNOWN.get(value);
        return known != null ? known : new RpcStatus(value, String.format("0x%08X", value), "application-defined fault code", false);
    }

    /**
     * Returns the status for an unsigned value given as a {@code long}.
     *
     * @param unsignedValue a value from 0 to 0xFFFFFFFF
     * @return the status
     * @throws IllegalArgumentException if the value does not fit 32 unsigned bits
     */
    public static RpcStatus ofUnsigned(long unsignedValue) {
        if (unsignedValue < 0 || unsignedValue > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(
                    "unsignedValue: " + unsignedValue + " (expected: 0 to 4294967295)");
        }
        return of((int) unsignedValue);
    }

    /**
     * Returns the well-known status of the given symbolic name, such as {@code "RPC_S_CALL_CANCELLED"}.
     *
     * @param name the symbolic name from the Windows headers
     * @return the status, or {@code null} if no well-known status has that name
     */
    public static @Nullable RpcStatus ofName(String name) {
        Objects.requireNonNull(name, "name");
        return WELL_KNOWN.values().stream().filter(status -> status.name.equals(name)).findFirst().orElse(null);
    }

    /** Returns every well-known status, in order of value. */
    public static Collection<RpcStatus> wellKnown() {
        return Collections.unmodifiableCollection(WELL_KNOWN.values());
    }

    /** The value as a Java {@code int}; read it as unsigned ({@code 0xFFFFFFFF} is {@code -1}). */
    public int value() {
        return value;
    }

    /** The value as an unsigned number, from 0 to 4294967295. */
    public long unsignedValue() {
        return Integer.toUnsignedLong(value);
    }

    /**
     * The symbolic name: {@code "RPC_S_OK"}, {@code "RPC_X_BAD_STUB_DATA"}, ..., or for an
     * application fault code its value in hexadecimal, such as {@code "0x80000000"}.
     */
    public String name() {
        return name;
    }

    /** A short English sentence saying what the status means. */
    public String description() {
        return description;
    }

    /** Whether this is one of the constants of this class rather than an application code. */
    public boolean isWellKnown() {
        return wellKnown;
    }

    /** Whether this is {@link #OK}. */
    public boolean isOk() {
        return value == 0;
    }

    /**
     * Returns a fault carrying this status, to throw from a handler or to end a call with.
     *
     * @throws IllegalArgumentException if this status is {@link #OK}, which is not a fault
     */
    public RpcFault asFault() {
        return new RpcFault(value);
    }

    /**
     * Returns a fault carrying this status and a detail message.
     *
     * @param detail what went wrong, for the reader of the fault
     * @throws IllegalArgumentException if this status is {@link #OK}, which is not a fault
     */
    public RpcFault asFault(String detail) {
        return new RpcFault(value, detail);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o || (o instanceof RpcStatus && ((RpcStatus) o).value == value);
    }

    @Override
    public int hashCode() {
        return value;
    }

    /** For example {@code "RPC_S_CALL_CANCELLED (1818)"} or {@code "0x80000000 (2147483648)"}. */
    @Override
    public String toString() {
        return name + " (" + unsignedValue() + ")";
    }
}
