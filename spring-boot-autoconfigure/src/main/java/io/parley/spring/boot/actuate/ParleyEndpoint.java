package io.parley.spring.boot.actuate;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.convert.DurationStyle;

import io.parley.core.CancelReason;
import io.parley.core.RpcStatus;
import io.parley.core.server.CallSnapshot;
import io.parley.core.server.ParleyServer;

/**
 * The {@code parley} Actuator endpoint: the Parley server's calls in flight, and an operator's
 * abort of one of them.
 *
 * <ul>
 * <li>{@code GET /actuator/parley} lists the calls, oldest first; {@code ?method=name} keeps one
 * method's, {@code ?minAge=5s} those at least that old (a Spring Boot duration: {@code 500ms},
 * {@code 5s}, {@code PT1M}).</li>
 * <li>{@code GET /actuator/parley/{id}} shows one call.</li>
 * <li>{@code POST /actuator/parley/{id}} with {@code {"code": 1818}} aborts the call with that
 * fault code: its client receives the code, its handler's {@code cancelled()} fires.</li>
 * </ul>
 *
 * <p>Read-only by default: the abort is allowed only with
 * {@code management.endpoint.parley.access=unrestricted}, and, like every endpoint but
 * {@code health}, the endpoint is reached over HTTP only once exposed
 * ({@code management.endpoints.web.exposure.include=parley}). Secure it as the application
 * secures its other Actuator endpoints (Spring Security's {@code EndpointRequest}).
 */
@Endpoint(id = "parley", defaultAccess = Access.READ_ONLY)
public class ParleyEndpoint {

    private final Supplier<@Nullable ParleyServer> server;

    /**
     * An endpoint over the server the supplier gives; {@code null} while it is not bound.
     *
     * @param server the server, when there is one
     */
    public ParleyEndpoint(Supplier<@Nullable ParleyServer> server) {
        this.server = server;
    }

    /**
     * The server's calls in flight, oldest first.
     *
     * @param method only the calls of this method; all when {@code null}
     * @param minAge only the calls at least this old (e.g. {@code 5s}); all when {@code null}
     * @return the report
     */
    @ReadOperation
    public CallsReport calls(@Nullable String method, @Nullable String minAge) {
        ParleyServer s = this.server.get();
        if (s == null) {
            return new CallsReport(false, 0, 0, null, List.of());
        }
        Duration min = (minAge != null) ? DurationStyle.detectAndParse(minAge) : Duration.ZERO;
        List<Call> calls = s.calls()
            .stream()
            .filter((c) -> method == null || c.method().equals(method))
            .filter((c) -> c.age().compareTo(min) >= 0)
            .map(Call::of)
            .toList();
        int available = s.availableCalls();
        return new CallsReport(s.isAccepting(), s.activeCalls(), s.queuedCalls(),
                (available == Integer.MAX_VALUE) ? null : available, calls);
    }

    /**
     * One call in flight.
     *
     * @param id the server's id of the call
     * @return the call, or {@code null} (404) if no call in flight has that id
     */
    @ReadOperation
    public @Nullable Call call(@Selector long id) {
        ParleyServer s = this.server.get();
        if (s == null) {
            return null;
        }
        return s.calls().stream().filter((c) -> c.id() == id).findFirst().map(Call::of).orElse(null);
    }

    /**
     * Aborts one call in flight with a fault code, as its handler's own abort would.
     *
     * @param id the server's id of the call
     * @param code the fault code its client receives, nonzero
     * @return what the abort answered: {@code RPC_S_OK}, {@code RPC_S_INVALID_ARG} for a zero
     *         code, {@code RPC_S_INVALID_ASYNC_HANDLE} if no call in flight has that id
     */
    @WriteOperation
    public AbortResult abort(@Selector long id, int code) {
        ParleyServer s = this.server.get();
        RpcStatus status = (s != null) ? s.abort(id, code) : RpcStatus.INVALID_ASYNC_HANDLE;
        return new AbortResult(id, code, status.name(), status.value());
    }

    /**
     * What the endpoint lists.
     *
     * @param accepting whether the server is bound and takes new calls
     * @param inFlight the calls on the server's books, across connections
     * @param queued the calls waiting for a place under the server's admission limit
     * @param available the places free under that limit; {@code null} without a limit
     * @param calls the calls that passed the filters, oldest first
     */
    public record CallsReport(boolean accepting, int inFlight, int queued, @Nullable Integer available, List<Call> calls) {
    }

    /**
     * One call, as JSON shows it.
     *
     * @param id the server's id, for the abort
     * @param method the method
     * @param shape the call's shape ({@code UNARY}, {@code SERVER_STREAM}, ...)
     * @param callId the id its client gave it; -1 for none
     * @param remoteAddress where it came from
     * @param principal who made it, when known
     * @param ageMillis how long since it arrived
     * @param state the seed's state name ({@code D}, {@code Comp}, {@code A}) or {@code queued}
     * @param clientGone whether its client will read nothing more
     * @param cancelRequested whether its client cancelled it
     * @param cancelReason why ({@code ABORTIVE}, {@code GRACEFUL}, {@code DEADLINE}, {@code CONNECTION_LOST})
     * @param deadlineRemainingMillis time to its deadline, negative once passed; {@code null} without one
     * @param itemsSent the replies sent so far
     */
    public record Call(long id, String method, String shape, long callId, @Nullable String remoteAddress,
            @Nullable String principal, long ageMillis, String state, boolean clientGone, boolean cancelRequested,
            @Nullable CancelReason cancelReason, @Nullable Long deadlineRemainingMillis, long itemsSent) {

        static Call of(CallSnapshot c) {
            Duration deadline = c.deadlineRemaining();
            return new Call(c.id(), c.method(), c.shape().name(), c.callId(), c.remoteAddress(), c.principal(),
                    c.age().toMillis(), c.state(), c.clientGone(), c.cancelRequested(), c.cancelReason(),
                    (deadline != null) ? deadline.toMillis() : null, c.itemsSent());
        }
    }

    /**
     * What an abort answered.
     *
     * @param id the call's id
     * @param code the fault code asked for
     * @param status the name of the abort's status
     * @param statusCode its number
     */
    public record AbortResult(long id, int code, String status, int statusCode) {
    }
}
