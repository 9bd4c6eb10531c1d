package io.parley.rsocket;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CancellationException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.rsocket.exceptions.ApplicationErrorException;
import io.rsocket.exceptions.CanceledException;
import io.rsocket.exceptions.ConnectionCloseException;
import io.rsocket.exceptions.ConnectionErrorException;
import io.rsocket.exceptions.InvalidException;
import io.rsocket.exceptions.RejectedException;
import io.rsocket.exceptions.SetupException;

/**
 * How a fault crosses RSocket: an ERROR frame with code APPLICATION_ERROR ({@code 0x00000201})
 * whose UTF-8 text is {@code NAME (CODE)} or {@code NAME (CODE): DETAIL}, where CODE is the fault
 * code as an unsigned decimal and NAME its symbolic name, e.g.
 * {@code RPC_S_ACCESS_DENIED (5): no such account} or {@code 0x80000000 (2147483648)}. Any RSocket
 * client can read the code and name from it; a Parley client rebuilds the exact
 * {@link RpcFault}. See {@code docs/wire-protocol.md}.
 *
 * <p>Stateless.
 */
public final class FaultCodec {

    private static final Pattern TEXT = Pattern.compile("(\\S+) \\((\\d{1,10})\\)(?:: (.*))?", Pattern.DOTALL);

    /** How RSocket's responder begins the CANCELED error of a request it stopped reassembling. */
    private static final String REASSEMBLY_FAILED = "Failed to reassemble payload";

    /** How RSocket's requester begins the error of a reply it stopped reassembling. */
    private static final String REPLY_TOO_LARGE = "Reassembled payload size went out of allowed";

    private FaultCodec() {
    }

    /**
     * The text of the ERROR frame for a fault.
     *
     * @param fault the fault
     * @return {@code NAME (CODE)} or {@code NAME (CODE): DETAIL}
     */
    public static String text(RpcFault fault) {
        RpcStatus status = fault.status();
        String detail = fault.detail();
        return detail == null || detail.isEmpty() ? status.toString() : status + ": " + detail;
    }

    /**
     * The exception whose ERROR frame carries a fault, for a responder to error its reply with.
     *
     * @param fault the fault
     * @return an APPLICATION_ERROR carrying {@link #text(RpcFault)}
     */
    public static ApplicationErrorException toError(RpcFault fault) {
        return new ApplicationErrorException(text(fault));
    }

    /**
     * Reads a fault from an ERROR frame's text.
     *
     * @param text the text
     * @return the fault, or {@code null} if the text is not in Parley's form
     */
    public static @Nullable RpcFault parse(@Nullable String text) {
        if (text == null) {
            return null;
        }
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long code = Long.parseLong(m.group(2));
        if (code == 0 || code > 0xFFFF_FFFFL) {
            return null;
        }
        return new RpcFault((int) code, m.group(3));
    }

    /** An error's message, or its kind when it has none (a closed channel, say). */
    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message != null ? message : error.getClass().getSimpleName();
    }

    /**
     * What a client call ends with when RSocket errors it.
     *
     * @param error what the requester's {@code Mono} errored with
     * @return the fault: the server's own if the error carries one in Parley's form, otherwise the
     *         status that best says what happened
     */
    public static RpcFault toFault(Throwable error) {
        if (error instanceof RpcFault) {
            return (RpcFault) error;
        }
        if (error instanceof ApplicationErrorException || error instanceof SetupException) {
            RpcFault fault = parse(error.getMessage());
            if (fault != null) {
                return fault;
            }
            if (error instanceof SetupException) {
                return new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "the server refused the connection: " + error.getMessage(), error);
            }
            return new RpcFault(RpcStatus.CALL_FAILED, "the server failed: " + error.getMessage(), error);
        }
        if (error instanceof IllegalStateException && String.valueOf(error.getMessage()).startsWith(REPLY_TOO_LARGE)) {
            // RSocket's requester stopped reassembling a fragmented reply at the client's limit.
            return new RpcFault(RpcStatus.OUT_OF_MEMORY, "the client refused the reply as it arrived: "
                    + error.getMessage(), error);
        }
        if (error instanceof RejectedException) {
            return new RpcFault(RpcStatus.SERVER_TOO_BUSY, "the server rejected the call: " + error.getMessage(), error);
        }
        if (error instanceof CanceledException && String.valueOf(error.getMessage()).startsWith(REASSEMBLY_FAILED)) {
            // RSocket's responder stopped reassembling a fragmented request at the server's limit.
            return new RpcFault(RpcStatus.SERVER_OUT_OF_MEMORY, "the server refused the request as it arrived: "
                    + error.getMessage(), error);
        }
        if (error instanceof CanceledException) {
            return new RpcFault(RpcStatus.CALL_CANCELLED, "the server cancelled the call: " + error.getMessage(), error);
        }
        if (error instanceof InvalidException) {
            return new RpcFault(RpcStatus.PROTOCOL_ERROR, "the server found the call invalid: " + error.getMessage(), error);
        }
        if (error instanceof CancellationException) {
            // RSocket's balancer with no server left ("Pool is exhausted"), or a disposed client: nothing was sent.
            return new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "no server to send the call to: " + error.getMessage(), error);
        }
        if (error instanceof ConnectException) {
            // No connection could be made, so the request never went out (a balancer connects lazily, inside the call).
            return new RpcFault(RpcStatus.SERVER_UNAVAILABLE, "could not connect: " + describe(error), error);
        }
        if (error instanceof ConnectionErrorException || error instanceof ConnectionCloseException
                || error instanceof ClosedChannelException || error instanceof IOException) {
            return new RpcFault(RpcStatus.COMM_FAILURE, "the connection failed: " + describe(error), error);
        }
        return new RpcFault(RpcStatus.COMM_FAILURE, "the call failed in transport: " + error, error);
    }
}
