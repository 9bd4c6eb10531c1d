package io.parley.core.observation;

import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Propagator;
import io.parley.core.CallMetadata;
import io.parley.core.RpcStatus;
import io.parley.core.client.ClientCallInfo;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;

/**
 * Micrometer observations around every call of a server or a client: the interceptors that make
 * them, and the names and keys they use.
 *
 * <pre>{@code
 * ParleyServer server = ParleyServer.builder()
 *         .interceptor(ParleyObservations.serverInterceptor(registry))   // first: it times the others too
 *         ...
 * ParleyClient client = ParleyClient.builder()
 *         .interceptor(ParleyObservations.clientInterceptor(registry))
 *         ...
 * }</pre>
 *
 * <p>Each call is one observation, a stream too, from its interceptors to its end:
 * {@value #SERVER_CALLS} on a server, {@value #CLIENT_CALLS} on a client, with the
 * low-cardinality keys {@value #METHOD} and {@value #STATUS} — the final status's name for a
 * well-known status ({@code RPC_S_OK}, {@code RPC_S_CALL_CANCELLED}, ...), {@value #APPLICATION}
 * for an application's own fault code, of which there are too many for meter tags — and, on a
 * server, {@value #CANCEL}: why the client cancelled the call ({@code abortive},
 * {@code graceful}, {@code deadline}, {@code connection_lost}) or {@code none}. A call that did not
 * end {@code RPC_S_OK} keeps its exact code, in unsigned decimal, in the high-cardinality key
 * {@value #FAULT_CODE}, which traces keep and meters do not; one that ended with a fault other
 * than the caller's own cancel ({@code RPC_S_CALL_CANCELLED}) is also recorded as an error.
 * A call to a method the server does not serve is observed under
 * {@link ServerCallInfo#UNKNOWN_METHOD}; one refused before its interceptors ran is observed as
 * starting and ending at once, with the refusal's status.
 *
 * <p>The client's observation is a {@code SenderContext} whose carrier is the call: a tracing
 * handler writes the trace context into the call's metadata (W3C: {@code traceparent},
 * {@code baggage}). Its parent is the observation in the caller's Reactor {@code Context} under
 * {@value #OBSERVATION_KEY} (the key of Micrometer's {@code ObservationThreadLocalAccessor}),
 * else the registry's current one. The server's is a {@code ReceiverContext} that reads the
 * metadata back, and is put into the handler's {@code Context} under the same key, where Reactor's
 * automatic context propagation makes it current for the handler's operators: its span is the
 * one their log lines name. The registry's conventions, or one given here, may replace the
 * names and keys.
 */
public final class ParleyObservations {

    /** The observation of a server's calls. */
    public static final String SERVER_CALLS = "parley.server.calls";

    /** The observation of a client's calls. */
    public static final String CLIENT_CALLS = "parley.client.calls";

    /** The low-cardinality key of the method called. */
    public static final String METHOD = "method";

    /** The low-cardinality key of the call's final status. */
    public static final String STATUS = "status";

    /** The low-cardinality key, on a server, of why the client cancelled the call. */
    public static final String CANCEL = "cancel";

    /** The {@value #CANCEL} value of a call that was not cancelled. */
    public static final String NOT_CANCELLED = "none";

    /** The {@value #STATUS} value of a call that ended with an application's own fault code. */
    public static final String APPLICATION = "APPLICATION";

    /** The high-cardinality key of the exact fault code of a call that did not end OK. */
    public static final String FAULT_CODE = "fault.code";

    /**
     * The Reactor {@code Context} key of the current observation: Micrometer's
     * {@code ObservationThreadLocalAccessor.KEY}.
     */
    public static final String OBSERVATION_KEY = "micrometer.observation";

    /** Writes a propagated field into a client call's metadata, while its interceptors run. */
    static final Propagator.Setter<ClientCallInfo> SETTER = (call, key, value) -> {
        String name = metadataName(key);
        if (call == null || name == null) {
            return;
        }
        try {
            call.putMetadata(name, value);
        }
        catch (IllegalStateException requestOut) {
            // An observation made at the end of a call that never ran its interceptors: nothing is sent any more.
        }
    };

    /** Reads a propagated field from a server call's metadata. */
    static final Propagator.Getter<ServerCallInfo> GETTER = new Propagator.Getter<>() {
        @Override
        public @Nullable String get(ServerCallInfo call, String key) {
            String name = metadataName(key);
            return name != null ? call.metadata().get(name) : null;
        }

        @Override
        public Iterable<String> getAll(ServerCallInfo call, String key) {
            String name = metadataName(key);
            return name != null ? call.metadata().getAll(name) : java.util.List.of();
        }
    };

    private ParleyObservations() {
    }

    /**
     * An interceptor that observes every call of a {@link ParleyServer}.
     *
     * @param registry the registry
     * @return the interceptor; add it first, so that its observation covers the other interceptors
     */
    public static ServerInterceptor serverInterceptor(ObservationRegistry registry) {
        return serverInterceptor(registry, null);
    }

    /**
     * An interceptor that observes every call of a {@link ParleyServer}, named and keyed by the
     * given convention.
     *
     * @param registry the registry
     * @param convention the convention; {@code null} for the registry's, else
     *        {@link DefaultServerCallObservationConvention}
     * @return the interceptor
     */
    public static ServerInterceptor serverInterceptor(ObservationRegistry registry,
            @Nullable ServerCallObservationConvention convention) {
        return new ObservingInterceptor.Server(Objects.requireNonNull(registry, "registry"), convention);
    }

    /** The interceptor that observes every call of a {@link ParleyClient}: {@link #clientInterceptor(ObservationRegistry, ClientCallObservationConvention) clientInterceptor(registry, null)}. */
    public static ClientInterceptor clientInterceptor(ObservationRegistry registry) {
        return clientInterceptor(registry, null);
    }

    /**
     * An interceptor that observes every call of a {@link ParleyClient}. Add it first, so that
     * the trace context is in the metadata the other interceptors see.
     *
     * @param registry the registry
     * @param convention names and keys the observations; {@code null} for the registry's, else
     *        {@link DefaultClientCallObservationConvention}
     * @return the interceptor
     */
    public static ClientInterceptor clientInterceptor(ObservationRegistry registry,
            @Nullable ClientCallObservationConvention convention) {
        return new ObservingInterceptor.Client(Objects.requireNonNull(registry, "registry"), convention);
    }

    /**
     * The {@value #STATUS} value of a final status: its name if it is well known, else
     * {@value #APPLICATION}.
     *
     * @param status the status
     * @return the value
     */
    public static String statusValue(RpcStatus status) {
        return status.isWellKnown() ? status.name() : APPLICATION;
    }

    /** Whether a call that ended so is recorded as an error: a fault, but not the caller's own cancel. */
    static boolean isError(RpcStatus status) {
        return !status.isOk() && !status.equals(RpcStatus.CALL_CANCELLED);
    }

    /**
     * The metadata name of a propagated field: header names are case-insensitive, metadata names
     * lower case; {@code null} for a field metadata cannot carry as text, which is left out rather
     * than failing the call.
     */
    private static @Nullable String metadataName(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        return CallMetadata.isValidName(name) && !CallMetadata.isBinary(name) ? name : null;
    }
}
