package io.parley.spring.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import brave.Span;
import brave.Tracing;
import brave.baggage.BaggageField;
import brave.baggage.BaggagePropagation;
import brave.baggage.BaggagePropagationConfig;
import brave.baggage.CorrelationScopeConfig;
import brave.context.slf4j.MDCScopeDecorator;
import brave.handler.MutableSpan;
import brave.propagation.ThreadLocalCurrentTraceContext;
import brave.sampler.Sampler;
import brave.test.TestSpanHandler;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.brave.bridge.BraveBaggageManager;
import io.micrometer.tracing.brave.bridge.BraveCurrentTraceContext;
import io.micrometer.tracing.brave.bridge.BravePropagator;
import io.micrometer.tracing.brave.bridge.BraveTracer;
import io.micrometer.tracing.brave.bridge.W3CPropagation;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.parley.core.client.ParleyClient;
import io.parley.core.observation.ParleyObservations;
import io.parley.core.server.ParleyServer;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerMethod;
import io.parley.rsocket.RSocketClientTransport;
import io.parley.rsocket.RSocketServerTransport;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/**
 * A real tracer over a real socket: Brave through Micrometer Tracing, the observation
 * interceptors on a client and a server talking RSocket over TCP. The server's span is the
 * client's child in the same trace, baggage set by the caller reaches the handler, and a log line
 * the handler writes carries the trace id in its MDC. Plain Parley, no Spring: this module's tests
 * have Logback, whose MDC the log line is read from.
 */
class TracingOverTcpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The handler's logger: only the test's appender, so that no console lock is taken on an event loop. */
    private static final Logger handlerLog = (Logger) LoggerFactory.getLogger("io.parley.tracing.handler");

    private final BaggageField user = BaggageField.create("user");
    private final TestSpanHandler spans = new TestSpanHandler();
    /** Reads each line's MDC as it is logged, on the thread that logs it. */
    private final ListAppender<ILoggingEvent> logLines = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent line) {
            line.prepareForDeferredProcessing();
            super.append(line);
        }
    };
    private final Queue<String> metadataNames = new ConcurrentLinkedQueue<>();
    private Tracing tracing;
    private Tracer tracer;
    private ObservationRegistry registry;
    private ParleyServer server;
    private ParleyClient client;

    @BeforeEach
    void start() {
        BraveBaggageManager baggage = new BraveBaggageManager(List.of(), List.of("user"));
        ThreadLocalCurrentTraceContext current = ThreadLocalCurrentTraceContext.newBuilder()
            .addScopeDecorator(MDCScopeDecorator.newBuilder()
                .add(CorrelationScopeConfig.SingleCorrelationField.newBuilder(this.user).flushOnUpdate().build())
                .build())
            .build();
        this.tracing = Tracing.newBuilder()
            .currentTraceContext(current)
            .traceId128Bit(true)
            .supportsJoin(false)
            .propagationFactory(BaggagePropagation.newFactoryBuilder(new W3CPropagation(baggage, List.of()))
                .add(BaggagePropagationConfig.SingleBaggageField.remote(this.user))
                .build())
            .sampler(Sampler.ALWAYS_SAMPLE)
            .addSpanHandler(this.spans)
            .build();
        this.tracer = new BraveTracer(this.tracing.tracer(), new BraveCurrentTraceContext(this.tracing.currentTraceContext()),
                baggage);
        Propagator propagator = new BravePropagator(this.tracing);
        this.registry = ObservationRegistry.create();
        this.registry.observationConfig()
            .observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
                    new PropagatingSenderTracingObservationHandler<>(this.tracer, propagator),
                    new PropagatingReceiverTracingObservationHandler<>(this.tracer, propagator),
                    new DefaultTracingObservationHandler(this.tracer)));
        ObservationThreadLocalAccessor.getInstance().setObservationRegistry(this.registry);
        Hooks.enableAutomaticContextPropagation();

        this.logLines.start();
        handlerLog.addAppender(this.logLines);
        handlerLog.setAdditive(false);

        this.server = ParleyServer.builder()
            .method(ServerMethod.mono("whoami", String.class, (greeting) -> ServerCallInfo.current()
                // The handler's operators run with its Context's observation current: its span, its baggage, its MDC.
                .map((call) -> {
                    this.metadataNames.addAll(call.metadata().names());
                    handlerLog.info("{} from {}", greeting, this.user.getValue());
                    return greeting + ", " + this.user.getValue();
                })))
            .interceptor(ParleyObservations.serverInterceptor(this.registry))
            .transport(RSocketServerTransport.tcp("127.0.0.1", 0))
            .bindNow();
        String address = this.server.address();
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        this.client = ParleyClient.builder()
            .interceptor(ParleyObservations.clientInterceptor(this.registry))
            .transport(RSocketClientTransport.tcp("127.0.0.1", port))
            .build();
    }

    @AfterEach
    void stop() {
        this.client.dispose();
        this.server.dispose();
        Hooks.disableAutomaticContextPropagation();
        ObservationThreadLocalAccessor.getInstance().setObservationRegistry(ObservationRegistry.create());
        handlerLog.detachAppender(this.logLines);
        handlerLog.setAdditive(true);
        this.tracing.close();
    }

    @Test
    @SuppressWarnings("try") // the scope is opened for what runs inside it, not used by name
    void clientCallAndItsHandling_shareATrace_baggageCrosses_andTheHandlersLogCarriesTheTraceId() {
        Observation caller = Observation.start("caller", this.registry);
        try (Observation.Scope scope = caller.openScope()) {
            this.user.updateValue("ada");
        }

        String reply = this.client.call("whoami", "hello", String.class)
            .contextWrite((context) -> context.put(ParleyObservations.OBSERVATION_KEY, caller))
            .block(TIMEOUT);
        caller.stop();

        assertThat(reply).as("the baggage reached the handler").isEqualTo("hello, ada");
        MutableSpan callerSpan = span(null, "caller");
        MutableSpan clientSpan = span(Span.Kind.CLIENT, "parley client whoami");
        MutableSpan serverSpan = span(Span.Kind.SERVER, "parley server whoami");
        assertThat(clientSpan.traceId()).isEqualTo(callerSpan.traceId()).hasSize(32);
        assertThat(clientSpan.parentId()).isEqualTo(callerSpan.id());
        assertThat(serverSpan.traceId()).isEqualTo(clientSpan.traceId());
        assertThat(serverSpan.parentId()).as("the server's span is the client's child").isEqualTo(clientSpan.id());
        assertThat(serverSpan.tags()).containsEntry("method", "whoami").containsEntry("status", "RPC_S_OK")
            .containsEntry("cancel", "none");
        assertThat(clientSpan.tags()).containsEntry("method", "whoami").containsEntry("status", "RPC_S_OK");
        assertThat(this.metadataNames).as("what crossed in the call's metadata").contains("traceparent", "baggage");

        assertThat(this.logLines.list).hasSize(1);
        ILoggingEvent line = this.logLines.list.get(0);
        assertThat(line.getFormattedMessage()).isEqualTo("hello from ada");
        Map<String, String> mdc = line.getMDCPropertyMap();
        assertThat(mdc).containsEntry("traceId", serverSpan.traceId()).containsEntry("spanId", serverSpan.id())
            .containsEntry("user", "ada");
    }

    @Test
    void faultOnTheServer_isTheServerSpansError_andItsStatusTag() {
        Observation caller = Observation.start("caller", this.registry);
        Mono<String> call = this.client.call("no-such-method", "x", String.class)
            .contextWrite((context) -> context.put(ParleyObservations.OBSERVATION_KEY, caller));

        assertThat(call.onErrorResume((e) -> Mono.just("failed")).block(TIMEOUT)).isEqualTo("failed");
        caller.stop();

        MutableSpan serverSpan = span(Span.Kind.SERVER, "parley server UNKNOWN");
        MutableSpan clientSpan = span(Span.Kind.CLIENT, "parley client no-such-method");
        assertThat(serverSpan.parentId()).isEqualTo(clientSpan.id());
        assertThat(serverSpan.tags()).containsEntry("status", "RPC_S_PROCNUM_OUT_OF_RANGE").containsEntry("fault.code", "1745");
        assertThat(serverSpan.error()).isNotNull();
        assertThat(clientSpan.error()).isNotNull();
    }

    /** The span of the given kind and name, once it has ended: the server's ends just before the client has its reply. */
    private MutableSpan span(Span.Kind kind, String name) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (;;) {
            for (MutableSpan span : this.spans.spans()) {
                if (span.kind() == kind && name.equals(span.name())) {
                    return span;
                }
            }
            assertThat(System.nanoTime()).as("no %s span '%s' among %s", kind, name, this.spans.spans()).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
