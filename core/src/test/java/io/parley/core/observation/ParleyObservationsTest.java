package io.parley.core.observation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import io.parley.core.CallMetadata;
import io.parley.core.RpcFault;
import io.parley.core.RpcStatus;
import io.parley.core.client.CallOptions;
import io.parley.core.client.CancelMode;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerMethod;
import io.parley.core.transport.InProcessTransport;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The observation interceptors over the in-process transport: one observation per call on each
 * side, with bounded names and tags, the server's cancel reason, the caller's observation as the
 * client's parent, the server's in its handler's context, and a trace context carried in the
 * metadata by whatever handler propagates one.
 */
class ParleyObservationsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final TestObservationRegistry registry = TestObservationRegistry.create();
    private final Queue<AsyncCall<String>> held = new ConcurrentLinkedQueue<>();
    private final Queue<Object> handlerObservations = new ConcurrentLinkedQueue<>();
    private ParleyServer server;
    private ParleyClient client;

    private void start(String name, ObservationRegistry observations) {
        server = ParleyServer.builder()
                .method(ServerMethod.mono("echo", String.class, Mono::just))
                .method(ServerMethod.mono("fail", Integer.class, code -> Mono.error(new RpcFault(code))))
                .method(ServerMethod.async("hold", String.class, (String request, AsyncCall<String> call) -> held.add(call)))
                .method(ServerMethod.mono("observed", String.class, request -> Mono.deferContextual(context -> {
                    handlerObservations.add(context.getOrDefault(ParleyObservations.OBSERVATION_KEY, "none"));
                    return Mono.just(request);
                })))
                .interceptor(ParleyObservations.serverInterceptor(observations))
                .transport(InProcessTransport.server(name))
                .bindNow();
        client = ParleyClient.builder()
                .interceptor(ParleyObservations.clientInterceptor(observations))
                .transport(InProcessTransport.client(name))
                .build();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.dispose();
            server.dispose();
        }
    }

    @Test
    void completedCall_isOneObservationOnEachSide_taggedByMethodAndStatus() {
        start("observations-ok", registry);

        StepVerifier.create(client.call("echo", "hi", String.class)).expectNext("hi").expectComplete().verify(TIMEOUT);

        ServerCallObservationContext server = serverContext(c -> c.getStatus() != null);
        assertThat(server.getName()).isEqualTo("parley.server.calls");
        assertThat(server.getContextualName()).isEqualTo("parley server echo");
        assertThat(lowCardinality(server)).containsExactlyInAnyOrderEntriesOf(
                Map.of("method", "echo", "status", "RPC_S_OK", "cancel", "none"));
        assertThat(highCardinality(server)).isEmpty();
        assertThat(server.getError()).isNull();
        ClientCallObservationContext client = clientContext(c -> c.getStatus() != null);
        assertThat(client.getName()).isEqualTo("parley.client.calls");
        assertThat(client.getContextualName()).isEqualTo("parley client echo");
        assertThat(lowCardinality(client)).containsExactlyInAnyOrderEntriesOf(Map.of("method", "echo", "status", "RPC_S_OK"));
        assertThat(registry).hasNumberOfObservationsEqualTo(2)
                .hasObservationWithNameEqualTo("parley.server.calls").that().hasBeenStarted().hasBeenStopped();
    }

    @Test
    void applicationFault_isTaggedApplication_keepsItsExactCode_andIsAnError() {
        start("observations-fault", registry);

        StepVerifier.create(client.call("fail", 0xFFFFFFFF, String.class)).expectError(RpcFault.class).verify(TIMEOUT);

        for (Observation.Context context : List.of(serverContext(c -> c.getStatus() != null), clientContext(c -> c.getStatus() != null))) {
            assertThat(lowCardinality(context)).containsEntry("status", "APPLICATION");
            assertThat(highCardinality(context)).containsEntry("fault.code", "4294967295");
            assertThat(context.getError()).isInstanceOfSatisfying(RpcFault.class,
                    fault -> assertThat(fault.faultCode()).isEqualTo(0xFFFFFFFF));
        }
    }

    @Test
    void abortiveCancel_isTaggedCancelledAndAbortive_andIsNoError() {
        start("observations-abortive", registry);

        Disposable call = client.call("hold", "x", String.class).subscribe();
        AsyncCall<String> handle = await(held::poll);
        call.dispose();
        await(() -> handle.testCancel() == RpcStatus.OK ? handle : null);

        ServerCallObservationContext server = serverContext(c -> c.getStatus() != null);
        assertThat(lowCardinality(server)).containsEntry("status", "RPC_S_CALL_CANCELLED").containsEntry("cancel", "abortive");
        assertThat(server.getError()).isNull();
        ClientCallObservationContext client = clientContext(c -> c.getStatus() != null);
        assertThat(lowCardinality(client)).containsEntry("status", "RPC_S_CALL_CANCELLED");
        assertThat(client.getError()).as("the caller's own cancel is not a failure").isNull();
        assertThat(handle.complete("late")).isEqualTo(RpcStatus.CALL_CANCELLED);
        assertThat(registry).hasNumberOfObservationsWithNameEqualTo("parley.server.calls", 1);
    }

    @Test
    void gracefulCancel_completedByTheServer_isTaggedOkAndGraceful() {
        start("observations-graceful", registry);

        ClientCall<String> call = client.start("hold", "x", String.class);
        AsyncCall<String> handle = await(held::poll);
        call.cancel(CancelMode.GRACEFUL);
        await(() -> handle.testCancel() == RpcStatus.OK ? handle : null);
        handle.complete("summary");
        call.completion().block(TIMEOUT);

        ServerCallObservationContext server = serverContext(c -> c.getStatus() != null);
        assertThat(lowCardinality(server)).containsEntry("status", "RPC_S_OK").containsEntry("cancel", "graceful");
        assertThat(lowCardinality(clientContext(c -> c.getStatus() != null))).containsEntry("status", "RPC_S_OK");
    }

    @Test
    void deadlinePassed_isTaggedDeadline() {
        start("observations-deadline", registry);

        ClientCall<String> call = client.start("hold", "x", String.class,
                CallOptions.timeout(Duration.ofMillis(50), Duration.ofSeconds(10)));
        AsyncCall<String> handle = await(held::poll);
        await(() -> handle.testCancel() == RpcStatus.OK ? handle : null);
        handle.abort(RpcStatus.TIMEOUT.value());
        call.completion().block(TIMEOUT);

        assertThat(lowCardinality(serverContext(c -> c.getStatus() != null)))
                .containsEntry("status", "RPC_S_TIMEOUT").containsEntry("cancel", "deadline");
    }

    @Test
    void unknownMethod_isObservedUnderOneName_startedAndStoppedAtOnce() {
        start("observations-unknown", registry);

        StepVerifier.create(client.call("no-such-method-" + System.nanoTime(), "x", String.class))
                .expectError(RpcFault.class).verify(TIMEOUT);

        ServerCallObservationContext server = serverContext(c -> c.getStatus() != null);
        assertThat(lowCardinality(server)).containsEntry("method", "UNKNOWN")
                .containsEntry("status", "RPC_S_PROCNUM_OUT_OF_RANGE").containsEntry("cancel", "none");
        assertThat(highCardinality(server)).containsEntry("fault.code", "1745");
        assertThat(registry).hasObservationWithNameEqualTo("parley.server.calls").that().hasBeenStarted().hasBeenStopped();
    }

    @Test
    void callersObservation_isTheClientsParent_andTheServersIsInItsHandlersContext() {
        start("observations-parent", registry);
        Observation caller = Observation.start("caller", registry);

        StepVerifier.create(client.call("observed", "x", String.class)
                        .contextWrite(context -> context.put(ParleyObservations.OBSERVATION_KEY, caller)))
                .expectNext("x").expectComplete().verify(TIMEOUT);
        caller.stop();

        ClientCallObservationContext client = clientContext(c -> c.getStatus() != null);
        assertThat(client.getParentObservation()).isSameAs(caller);
        Object inHandler = handlerObservations.poll();
        assertThat(inHandler).isInstanceOfSatisfying(Observation.class,
                observation -> assertThat(observation.getContext()).isSameAs(serverContext(c -> c.getStatus() != null)));
    }

    @Test
    void propagatingHandler_carriesTheTraceContextInTheMetadata() {
        Queue<String> received = new ConcurrentLinkedQueue<>();
        registry.observationConfig().observationHandler(new ObservationHandler<SenderContext<Object>>() {
            @Override
            public void onStart(SenderContext<Object> context) {
                context.getSetter().set(context.getCarrier(), "traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
                context.getSetter().set(context.getCarrier(), "X-B3-TraceId", "upper-case");
                context.getSetter().set(context.getCarrier(), "not a name", "dropped");
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof SenderContext;
            }
        });
        registry.observationConfig().observationHandler(new ObservationHandler<ReceiverContext<Object>>() {
            @Override
            public void onStart(ReceiverContext<Object> context) {
                received.add("traceparent=" + context.getGetter().get(context.getCarrier(), "traceparent"));
                received.add("b3=" + context.getGetter().get(context.getCarrier(), "X-B3-TraceId"));
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return context instanceof ReceiverContext;
            }
        });
        start("observations-propagation", registry);

        StepVerifier.create(client.call("echo", "x", String.class)).expectNext("x").expectComplete().verify(TIMEOUT);

        assertThat(received).containsExactly("traceparent=00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "b3=upper-case");
        CallMetadata sent = clientContext(c -> c.getStatus() != null).getCall().metadata();
        assertThat(sent.names()).containsExactlyInAnyOrder("traceparent", "x-b3-traceid");
    }

    @Test
    void noopRegistry_observesNothing_andLeavesTheHandlersContextAlone() {
        start("observations-noop", ObservationRegistry.NOOP);

        StepVerifier.create(client.call("observed", "x", String.class)).expectNext("x").expectComplete().verify(TIMEOUT);

        assertThat(handlerObservations.poll()).isEqualTo("none");
        assertThat(registry).doesNotHaveAnyObservation();
    }

    @Test
    void eachSidesInterceptor_isOnlyThatSides_soThatLookupsByTypeFindOne() {
        assertThat(ParleyObservations.serverInterceptor(registry)).isNotInstanceOf(io.parley.core.client.ClientInterceptor.class);
        assertThat(ParleyObservations.clientInterceptor(registry)).isNotInstanceOf(io.parley.core.server.ServerInterceptor.class);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private ServerCallObservationContext serverContext(Predicate<ServerCallObservationContext> condition) {
        return await(() -> contexts(ServerCallObservationContext.class).stream().filter(condition).findFirst().orElse(null));
    }

    private ClientCallObservationContext clientContext(Predicate<ClientCallObservationContext> condition) {
        return await(() -> contexts(ClientCallObservationContext.class).stream().filter(condition).findFirst().orElse(null));
    }

    private <C> List<C> contexts(Class<C> type) {
        List<C> found = new ArrayList<>();
        assertThat(registry).hasHandledContextsThatSatisfy(contexts -> contexts.stream()
                .filter(type::isInstance).map(type::cast).forEach(found::add));
        return found;
    }

    private static <T> T await(Supplier<T> value) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        T found;
        while ((found = value.get()) == null) {
            assertThat(System.nanoTime()).as("waited for a value").isLessThan(deadline);
            Thread.onSpinWait();
        }
        return found;
    }

    private static Map<String, String> lowCardinality(Observation.Context context) {
        return toMap(context.getLowCardinalityKeyValues());
    }

    private static Map<String, String> highCardinality(Observation.Context context) {
        return toMap(context.getHighCardinalityKeyValues());
    }

    private static Map<String, String> toMap(Iterable<KeyValue> keyValues) {
        List<KeyValue> list = new ArrayList<>();
        keyValues.forEach(list::add);
        return list.stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }
}
