package io.parley.test.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.parley.core.CallMetadata;
import io.parley.core.CancelReason;
import io.parley.core.Credentials;
import io.parley.core.Deadline;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ClientInterceptor;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AccessRule;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.Authenticator;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerInterceptor;
import io.parley.core.server.ServerMethod;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

/**
 * The call's context, on any transport: metadata from client to server, interceptors on both
 * sides in their order and around every shape, authentication and access (each refusal
 * {@code RPC_S_ACCESS_DENIED} with the connection still serving), the four cancel reasons, and
 * deadlines that cascade through a chain of servers.
 */
public abstract class AbstractCallContextTest extends CallTestSupport {

    /** What the interceptors of a test saw, in order. */
    protected final Queue<String> seen = new ConcurrentLinkedQueue<>();
    /** Calls that reached "holdCall", which reports its cancel reason when cancelled. */
    protected final Queue<AsyncCall<String>> heldInfo = new ConcurrentLinkedQueue<>();
    /** Clients the chain's servers call the next server with: "chainA" calls [0], "chainB" calls [1]. */
    private final List<AtomicReference<ParleyClient>> next = List.of(new AtomicReference<>(), new AtomicReference<>());
    /** The calls that reached "chainC". */
    private final Queue<AsyncCall<String>> chainEnds = new ConcurrentLinkedQueue<>();
    private final AtomicInteger handlerRuns = new AtomicInteger();

    /** Whether the transport knows where a connection comes from. */
    protected abstract boolean knowsRemoteAddress();

    @Override
    protected List<ServerMethod<?, ?>> methods() {
        List<ServerMethod<?, ?>> methods = new ArrayList<>(super.methods());
        methods.add(ServerMethod.mono("metadata", String.class, name -> ServerCallInfo.current().map(call -> {
            handlerRuns.incrementAndGet();
            CallMetadata metadata = call.metadata();
            byte[] bytes = CallMetadata.isBinary(name) ? metadata.getBytes(name) : null;
            return bytes != null ? "bytes:" + bytes.length + ":" + (bytes.length > 0 ? bytes[0] : -1)
                    : String.valueOf(metadata.getAll(name));
        })));
        methods.add(ServerMethod.mono("whoami", String.class, request -> ServerCallInfo.current().map(call -> {
            handlerRuns.incrementAndGet();
            Principal p = call.principal();
            return p == null ? "anonymous" : p.getName();
        }).defaultIfEmpty("no call in the context")));
        methods.add(ServerMethod.mono("remote", String.class, request -> ServerCallInfo.current()
                .map(call -> String.valueOf(call.remoteAddress()))));
        methods.add(ServerMethod.mono("contextValue", String.class, key -> Mono.deferContextual(
                context -> Mono.just(String.valueOf(context.getOrDefault(key, "absent"))))));
        methods.add(ServerMethod.flux("countTagged", Integer.class, n -> Flux.range(0, n)));
        methods.add(ServerMethod.channel("upperTagged", String.class, requests -> requests.map(String::toUpperCase)));
        methods.add(ServerMethod.clientStream("sumTagged", Integer.class, numbers -> numbers.reduce(0, Integer::sum)));
        methods.add(ServerMethod.oneWay("oneWayTagged", String.class, request -> Mono.empty()));
        methods.add(ServerMethod.mono("holdCall", String.class, (String request, AsyncCall<String> call) -> {
            heldInfo.add(call);
            return call.cancelled().then(Mono.fromSupplier(() -> "stopped:" + call.cancelReason()));
        }));
        methods.add(ServerMethod.mono("chainA", String.class, request -> next.get(0).get().call("chainB", request, String.class)));
        methods.add(ServerMethod.mono("chainB", String.class, request -> next.get(1).get().call("chainC", request, String.class)));
        methods.add(ServerMethod.mono("chainC", String.class, (String request, AsyncCall<String> call) -> {
            chainEnds.add(call);
            return call.cancelled().then(Mono.fromSupplier(() -> "stopped:" + call.cancelReason()));
        }));
        methods.add(ServerMethod.mono("admin", String.class, Mono::just)
                .access(AccessRule.principal(p -> p.getName().equals("admin"))));
        return methods;
    }

    // ---- metadata ------------------------------------------------------------------------------

    @Test
    void metadata_textEntries_reachTheHandler_inTheOrderSent() {
        ParleyClient client = client(startServer());
        CallOptions options = CallOptions.DEFAULT.withMetadata(
                CallMetadata.of("tenant", "acme").with("tenant", "ünïcode").with("request-id", "r-1"));

        assertThat(client.call("metadata", "tenant", String.class, options).block(TIMEOUT)).isEqualTo("[acme, ünïcode]");
        assertThat(client.call("metadata", "request-id", String.class, options).block(TIMEOUT)).isEqualTo("[r-1]");
        assertThat(client.call("metadata", "absent", String.class, options).block(TIMEOUT)).isEqualTo("[]");
    }

    @Test
    void metadata_binaryEntry_reachesTheHandler_byteForByte() {
        byte[] value = new byte[300];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i - 128);
        }
        ParleyClient client = client(startServer());

        String reply = client.call("metadata", "blob-bin", String.class,
                CallOptions.DEFAULT.withMetadata(CallMetadata.EMPTY.with("blob-bin", value))).block(TIMEOUT);

        assertThat(reply).isEqualTo("bytes:300:-128");
    }

    @Test
    void metadata_overTheServersLimit_endsServerOutOfMemory_beforeTheHandler_andTheConnectionServesOn() {
        ParleyClient client = client(startServer(builder -> builder.maxMetadataSize(100)));
        CallOptions tooMuch = CallOptions.DEFAULT.withMetadata(CallMetadata.of("big", "x".repeat(98)));

        RpcFault fault = faultOf(client.call("metadata", "big", String.class, tooMuch));

        assertThat(fault.status()).isEqualTo(RpcStatus.SERVER_OUT_OF_MEMORY);
        assertThat(fault.getMessage()).contains("metadata of 'metadata' is 101 bytes, over the server's limit of 100");
        assertThat(handlerRuns).hasValue(0);
        CallOptions justFits = CallOptions.DEFAULT.withMetadata(CallMetadata.of("big", "x".repeat(97)));
        assertThat(client.call("metadata", "big", String.class, justFits).block(TIMEOUT)).hasSize(99);
    }

    @Test
    void metadata_travelsWithEveryShape() {
        ParleyServer server = startServer(builder -> builder.interceptor((call, context) -> {
            seen.add(call.method() + ":" + call.shape() + ":" + call.metadata().get("tenant"));
            return Mono.just(context);
        }));
        ParleyClient client = client(server);
        CallOptions options = CallOptions.DEFAULT.withMetadata(CallMetadata.of("tenant", "acme"));

        StepVerifier.create(client.stream("countTagged", 2, Integer.class, options)).expectNext(0, 1).expectComplete().verify(TIMEOUT);
        StepVerifier.create(client.channel("upperTagged", Flux.just("a"), String.class, options))
                .expectNext("A").expectComplete().verify(TIMEOUT);
        assertThat(client.clientStream("sumTagged", Flux.just(1, 2), Integer.class, options).block(TIMEOUT)).isEqualTo(3);
        assertThat(client.call("echo", "x", String.class, options).block(TIMEOUT)).isEqualTo("x");

        assertThat(seen).containsExactly("countTagged:SERVER_STREAM:acme", "upperTagged:BIDI_STREAM:acme",
                "sumTagged:CLIENT_STREAM:acme", "echo:UNARY:acme");
    }

    // ---- interceptors --------------------------------------------------------------------------

    @Test
    void interceptors_runInTheirOrder_beforeTheHandler_andEndInReverse_onBothSides() {
        ParleyServer server = startServer(builder -> builder
                .interceptor(recording("server-1"))
                .interceptor(recording("server-2")));
        ParleyClient client = client(server, builder -> builder
                .interceptor(recordingClient("client-1"))
                .interceptor(recordingClient("client-2")));

        assertThat(client.call("contextValue", "server-2", String.class).block(TIMEOUT)).isEqualTo("server-2");
        await("both ends observed", () -> seen.size() == 8);

        assertThat(seen).containsExactly("client-1 contextValue", "client-2 contextValue",
                "server-1 contextValue", "server-2 contextValue",
                "server-2 end RPC_S_OK", "server-1 end RPC_S_OK", "client-2 end RPC_S_OK", "client-1 end RPC_S_OK");
    }

    private ServerInterceptor recording(String name) {
        return new ServerInterceptor() {
            @Override
            public Mono<Context> intercept(ServerCallInfo call, Context context) {
                seen.add(name + " " + call.method());
                return Mono.just(context.put(name, name));
            }

            @Override
            public void onEnd(ServerCallInfo call, RpcStatus status) {
                seen.add(name + " end " + status.name());
            }
        };
    }

    private ClientInterceptor recordingClient(String name) {
        return new ClientInterceptor() {
            @Override
            public Mono<Context> intercept(io.parley.core.client.ClientCallInfo call, Context context) {
                seen.add(name + " " + call.method());
                return Mono.just(context);
            }

            @Override
            public void onEnd(io.parley.core.client.ClientCallInfo call, RpcStatus status) {
                seen.add(name + " end " + status.name());
            }
        };
    }

    @Test
    void serverInterceptor_endingTheCallWithAFault_keepsTheHandlerFromRunning_andTheCodeReachesTheClient() {
        ParleyServer server = startServer(builder -> builder.interceptor((call, context) ->
                "refuse".equals(call.metadata().get("mode")) ? Mono.error(new RpcFault(0x2A, "refused by policy"))
                        : Mono.just(context)));
        ParleyClient client = client(server);

        RpcFault fault = faultOf(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withMetadata(CallMetadata.of("mode", "refuse"))));

        assertThat(fault.status().value()).isEqualTo(0x2A);
        assertThat(fault.getMessage()).contains("refused by policy");
        assertThat(handlerRuns).hasValue(0);
        assertThat(client.call("whoami", "x", String.class).block(TIMEOUT)).isEqualTo("anonymous");
    }

    @Test
    void serverInterceptor_thatFailsUnexpectedly_endsTheCallCallFailed_withoutItsDetail() {
        ParleyClient client = client(startServer(builder -> builder.interceptor((call, context) -> {
            throw new IllegalStateException("secret interceptor detail");
        })));

        RpcFault fault = faultOf(client.call("echo", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.CALL_FAILED);
        assertThat(fault.getMessage()).doesNotContain("secret");
    }

    @Test
    void serverInterceptor_answeringLater_addsToTheHandlersContext() {
        ParleyClient client = client(startServer(builder -> builder.interceptor((call, context) ->
                Mono.delay(Duration.ofMillis(20)).map(tick -> context.put("tenant", "looked-up")))));

        assertThat(client.call("contextValue", "tenant", String.class).block(TIMEOUT)).isEqualTo("looked-up");
    }

    @Test
    void clientLeaving_whileAServerInterceptorWaits_endsTheCall_stopsTheInterceptor_andTheHandlerNeverRuns() {
        AtomicInteger interceptorCancels = new AtomicInteger();
        Queue<ServerCallInfo> waiting = new ConcurrentLinkedQueue<>();
        ParleyServer server = startServer(builder -> builder.interceptor(new ServerInterceptor() {
            @Override
            public Mono<Context> intercept(ServerCallInfo call, Context context) {
                waiting.add(call);
                return Mono.<Context>never().doOnCancel(interceptorCancels::incrementAndGet);
            }

            @Override
            public void onEnd(ServerCallInfo call, RpcStatus status) {
                seen.add("end " + status.name());
            }
        }));
        Disposable d = client(server).call("whoami", "x", String.class).subscribe(reply -> { }, error -> { });
        ServerCallInfo call = next(waiting, "the call waiting for its interceptor");

        d.dispose();

        await("the call ends", () -> call.status() != RpcStatus.ASYNC_CALL_PENDING);
        assertThat(call.status()).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(call.cancelReason()).isEqualTo(CancelReason.ABORTIVE);
        // The wait is stopped by the cancel, or, if the cancel came as it was being kept, by the step itself.
        await("the interceptor's wait stopped", () -> interceptorCancels.get() == 1);
        await("the interceptor told of the end", () -> seen.contains("end RPC_S_CALL_CANCELLED"));
        assertThat(interceptorCancels).hasValue(1);
        assertThat(handlerRuns).hasValue(0);
        assertThat(server.activeCalls()).isZero();
    }

    @Test
    void aCallEndingWhileItsInterceptorRuns_isToldOfItsEnd_afterTheInterceptorHasLeftItsContext() {
        ParleyServer server = startServer(builder -> builder.interceptor(new ServerInterceptor() {
            @Override
            public Mono<Context> intercept(ServerCallInfo call, Context context) {
                // The call ends under the interceptor, as a shutdown or a lost connection on another thread may end it.
                ((AsyncCall<?>) call).abort(0x2B);
                return Mono.just(context.put("started", "here"));
            }

            @Override
            public void onEnd(ServerCallInfo call, RpcStatus status) {
                seen.add("end " + status.value() + " " + call.context().getOrDefault("started", "missing"));
            }
        }));

        RpcFault fault = faultOf(client(server).call("whoami", "x", String.class));

        assertThat(fault.status().value()).isEqualTo(0x2B);
        await("the end told", () -> !seen.isEmpty());
        assertThat(seen).containsExactly("end 43 here");
        assertThat(handlerRuns).hasValue(0);
    }

    @Test
    void clientInterceptor_addsMetadata_afterFetchingItLater() {
        ParleyServer server = startServer();
        ParleyClient client = client(server, builder -> builder.interceptor((call, context) ->
                Mono.delay(Duration.ofMillis(20)).map(tick -> {
                    call.putMetadata("token", "fetched-" + call.method());
                    return context;
                })));

        assertThat(client.call("metadata", "token", String.class).block(TIMEOUT)).isEqualTo("[fetched-metadata]");
        StepVerifier.create(client.stream("countTagged", 3, Integer.class)).expectNext(0, 1, 2).expectComplete().verify(TIMEOUT);
    }

    @Test
    void clientInterceptor_failing_endsTheCallWithItsFault_andNothingIsSent() {
        ParleyServer server = startServer();
        ParleyClient client = client(server, builder -> builder.interceptor((call, context) ->
                Mono.error(new RpcFault(RpcStatus.ACCESS_DENIED, "no token"))));

        RpcFault fault = faultOf(client.call("whoami", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(handlerRuns).hasValue(0);
    }

    @Test
    void clientInterceptor_seesTheCallersContext() {
        ParleyServer server = startServer();
        ParleyClient client = client(server, builder -> builder.interceptor((call, context) -> {
            call.putMetadata("user", context.getOrDefault("user", "nobody"));
            return Mono.just(context);
        }));

        String reply = client.call("metadata", "user", String.class).contextWrite(Context.of("user", "carol")).block(TIMEOUT);

        assertThat(reply).isEqualTo("[carol]");
    }

    @Test
    void clientCancel_whileAnInterceptorWaits_sendsNothing_andCancelsTheInterceptor() {
        AtomicInteger interceptorCancels = new AtomicInteger();
        ParleyServer server = startServer();
        ParleyClient client = client(server, builder -> builder.interceptor(new ClientInterceptor() {
            @Override
            public Mono<Context> intercept(io.parley.core.client.ClientCallInfo call, Context context) {
                return Mono.<Context>never().doOnCancel(interceptorCancels::incrementAndGet);
            }

            @Override
            public void onEnd(io.parley.core.client.ClientCallInfo call, RpcStatus status) {
                seen.add("end " + status.name());
            }
        }));

        Disposable d = client.call("whoami", "x", String.class).subscribe();
        d.dispose();

        assertThat(interceptorCancels).hasValue(1);
        assertThat(seen).containsExactly("end RPC_S_CALL_CANCELLED");
        assertThat(handlerRuns).hasValue(0);
    }

    // ---- identity and access -------------------------------------------------------------------

    /** Alice's password is "secret"; a bearer token "token-of-NAME" is NAME's. */
    private static final Authenticator USERS = credentials -> {
        if (credentials instanceof Credentials.Basic basic) {
            return basic.password().equals("secret") ? Mono.just(principal(basic.username())) : Mono.empty();
        }
        String token = ((Credentials.Bearer) credentials).token();
        return token.startsWith("token-of-") ? Mono.delay(Duration.ofMillis(5)).map(tick -> principal(token.substring(9)))
                : Mono.error(new IllegalArgumentException("not a token"));
    };

    private static Principal principal(String name) {
        return () -> name;
    }

    private ParleyServer secureServer() {
        return startServer(builder -> builder.authenticator(USERS).access(AccessRule.authenticated()));
    }

    @Test
    void perCallBasicCredentials_areAccepted_andThePrincipalReachesTheHandler() {
        ParleyClient client = client(secureServer());

        assertThat(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("alice", "secret"))).block(TIMEOUT)).isEqualTo("alice");
        assertThat(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.bearer("token-of-bob"))).block(TIMEOUT)).isEqualTo("bob");
    }

    @Test
    void callWithoutCredentials_whereRequired_endsAccessDenied_sayingSo_andTheConnectionServesOn() {
        ParleyClient client = client(secureServer());

        RpcFault fault = faultOf(client.call("whoami", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(fault.getMessage()).contains("'whoami' requires credentials; the call has none");
        assertThat(handlerRuns).hasValue(0);
        assertThat(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("alice", "secret"))).block(TIMEOUT)).isEqualTo("alice");
    }

    @Test
    void badCredentials_endAccessDenied_sayingTheyWereRefused_whicheverWayTheyFail() {
        ParleyClient client = client(secureServer());

        RpcFault wrongPassword = faultOf(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("alice", "guess"))));
        RpcFault badToken = faultOf(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.bearer("forged"))));

        for (RpcFault fault : List.of(wrongPassword, badToken)) {
            assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
            assertThat(fault.getMessage()).contains("the credentials were refused").doesNotContain("guess", "forged");
        }
        assertThat(handlerRuns).hasValue(0);
        assertThat(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("alice", "secret"))).block(TIMEOUT)).isEqualTo("alice");
    }

    @Test
    void aPrincipalTheMethodsRuleRefuses_endsAccessDenied_namingWhoAndWhat() {
        ParleyClient client = client(startServer(builder -> builder.authenticator(USERS)));

        RpcFault fault = faultOf(client.call("admin", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("alice", "secret"))));

        assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(fault.getMessage()).contains("'alice' may not call 'admin'");
        assertThat(client.call("admin", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("admin", "secret"))).block(TIMEOUT)).isEqualTo("x");
        assertThat(client.call("whoami", "x", String.class).block(TIMEOUT)).isEqualTo("anonymous");
    }

    @Test
    void connectionCredentials_serveEveryCall_andACallsOwnWin() {
        ParleyServer server = secureServer();
        ParleyClient client = client(server, builder -> builder.credentials(Credentials.basic("carol", "secret")));

        assertThat(client.call("whoami", "x", String.class).block(TIMEOUT)).isEqualTo("carol");
        assertThat(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.bearer("token-of-dave"))).block(TIMEOUT)).isEqualTo("dave");
        StepVerifier.create(client.stream("countTagged", 2, Integer.class)).expectNext(0, 1).expectComplete().verify(TIMEOUT);
    }

    @Test
    void refusedConnectionCredentials_refuseTheCallsThatRelyOnThem_only() {
        ParleyServer server = secureServer();
        ParleyClient client = client(server, builder -> builder.credentials(Credentials.basic("carol", "wrong")));

        RpcFault fault = faultOf(client.call("whoami", "x", String.class));

        assertThat(fault.status()).isEqualTo(RpcStatus.ACCESS_DENIED);
        assertThat(fault.getMessage()).contains("the credentials were refused");
        assertThat(client.call("whoami", "x", String.class,
                CallOptions.DEFAULT.withCredentials(Credentials.basic("alice", "secret"))).block(TIMEOUT)).isEqualTo("alice");
    }

    @Test
    void credentials_sentToAServerWithoutAnAuthenticator_areIgnored() {
        ParleyClient client = client(startServer(), builder -> builder.credentials(Credentials.basic("carol", "x")));

        assertThat(client.call("whoami", "x", String.class).block(TIMEOUT)).isEqualTo("anonymous");
    }

    @Test
    void remoteAddress_isWhereTheConnectionComesFrom() {
        String remote = client(startServer()).call("remote", "x", String.class).block(TIMEOUT);

        if (knowsRemoteAddress()) {
            assertThat(remote).isNotEqualTo("null");
        }
        else {
            assertThat(remote).isEqualTo("null");
        }
    }

    // ---- cancel reasons ------------------------------------------------------------------------

    @Test
    void cancelReason_abortive() {
        ParleyClient client = client(startServer());
        Disposable d = client.call("holdCall", "x", String.class).subscribe();
        AsyncCall<String> call = next(heldInfo, "the held call");

        d.dispose();
        awaitCancel(call);

        assertThat(call.cancelReason()).isEqualTo(CancelReason.ABORTIVE);
    }

    @Test
    void cancelReason_graceful_andTheHandlerAnswersWithIt() {
        ParleyClient client = client(startServer());
        ClientCall<String> handle = client.start("holdCall", "x", String.class);
        AsyncCall<String> call = next(heldInfo, "the held call");

        handle.cancel(CancelMode.GRACEFUL);

        assertThat(handle.reply().block(TIMEOUT)).isEqualTo("stopped:GRACEFUL");
        assertThat(call.cancelReason()).isEqualTo(CancelReason.GRACEFUL);
    }

    @Test
    void cancelReason_deadline() {
        ParleyClient client = client(startServer());

        String reply = client.call("holdCall", "x", String.class, CallOptions.gracefulTimeout(Duration.ofMillis(200)))
                .block(TIMEOUT);

        assertThat(reply).isEqualTo("stopped:DEADLINE");
    }

    @Test
    void cancelReason_connectionLost() {
        ParleyClient client = client(startServer());
        track(client.call("holdCall", "x", String.class).subscribe(reply -> { }, error -> { }));
        AsyncCall<String> call = next(heldInfo, "the held call");

        client.dispose();
        awaitCancel(call);

        assertThat(call.cancelReason()).isEqualTo(CancelReason.CONNECTION_LOST);
    }

    @Test
    void cancelReason_isNull_forACallNotCancelled() {
        ParleyClient client = client(startServer());
        ClientCall<String> handle = client.start("holdCall", "x", String.class);
        AsyncCall<String> call = next(heldInfo, "the held call");

        assertThat(call.cancelReason()).isNull();
        handle.cancel(CancelMode.ABORTIVE);
    }

    // ---- deadlines -----------------------------------------------------------------------------

    @Test
    void deadline_cascades_throughAChainOfThreeServers_whichStopTogether() {
        ParleyServer a = startServer();
        ParleyServer b = startServer();
        ParleyServer c = startServer();
        next.get(0).set(client(b));
        next.get(1).set(client(c));
        Duration first = Duration.ofMillis(800);

        String reply = client(a).call("chainA", "go", String.class, CallOptions.gracefulTimeout(first)).block(TIMEOUT);

        // The last server, which knows nothing of the first caller, stopped for its deadline.
        assertThat(reply).isEqualTo("stopped:DEADLINE");
        AsyncCall<String> end = next(chainEnds, "the chain's last call");
        assertThat(end.timeout()).isNotNull().isLessThanOrEqualTo(first);
    }

    @Test
    void handlerContext_holdsTheCallsDeadline_andItsCallInfo() {
        ParleyClient client = client(startServer(builder -> builder.interceptor((call, context) -> {
            Deadline deadline = Deadline.from(context);
            seen.add(String.valueOf(ServerCallInfo.from(context) == call) + " " + (deadline != null));
            return Mono.just(context);
        })));

        client.call("echo", "x", String.class, CallOptions.timeout(Duration.ofSeconds(5))).block(TIMEOUT);
        client.call("echo", "x", String.class).block(TIMEOUT);

        assertThat(seen).containsExactly("true true", "true false");
    }

    @Test
    void aCallMadeAfterItsInheritedDeadline_endsTimeout_withoutBeingSent() {
        ParleyClient client = client(startServer());

        RpcFault fault = faultOf(client.call("whoami", "x", String.class)
                .contextWrite(Deadline.after(Duration.ofMillis(-5)).asContext()));

        assertThat(fault.status()).isEqualTo(RpcStatus.TIMEOUT);
        assertThat(handlerRuns).hasValue(0);
    }
}
