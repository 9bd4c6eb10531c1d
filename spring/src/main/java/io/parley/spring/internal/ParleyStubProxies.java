package io.parley.spring.internal;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Proxy;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

import io.parley.core.client.CallOptions;
import io.parley.core.client.ClientCall;
import io.parley.core.client.ClientStream;
import io.parley.core.client.ParleyClient;
import io.parley.core.server.AsyncCall;
import io.parley.spring.ParleyMethod;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Makes {@link io.parley.spring.ParleyStub @ParleyStub} interfaces into objects that call a
 * Parley server, in the shapes {@link io.parley.spring.ParleyStub} lists.
 *
 * <pre>{@code
 * Orders orders = ParleyStubProxies.create(Orders.class, parleyClient);
 * orders.find(id).subscribe(...);
 * }</pre>
 *
 * <p>A {@code Mono} or {@code Flux} method returns the client's own {@code Mono} or {@code Flux}:
 * lazy, and disposing its subscription cancels the call abortively. Its reply or item type is the
 * type argument, generics included ({@code Mono<List<Order>>}, {@code Flux<List<Order>>},
 * {@code ClientStream<List<Order>>}); without a {@code CallOptions} argument the client's default
 * options apply. A {@code ClientCall<R>} method needs a reply type that is a plain class, since
 * {@code client.start(...)} takes a {@code Class}. A {@code void} method is one-way: it sends
 * and returns; since nobody waits for it, a request that could not be sent is logged. The calls
 * of a method marked {@code @ParleyMethod(idempotent = true)}, or of an interface marked
 * {@code @ParleyStub(idempotent = true)}, are declared idempotent
 * ({@link CallOptions#withIdempotent(boolean)}).
 */
public final class ParleyStubProxies {

    static final String SUPPORTED_SHAPES = "supported: Mono<R> m(), Mono<R> m(Q), Mono<R> m(CallOptions), "
            + "Mono<R> m(Q, CallOptions), and the same returning ClientCall<R>; Mono<Void> for no reply; "
            + "Flux<R> m(Q) and ClientStream<R> m(Q) (server stream, also without Q), Mono<R> m(Flux<Q>) (client stream), "
            + "Flux<R> m(Flux<Q>) (channel), each with an optional last CallOptions parameter and Publisher<Q> "
            + "serving for Flux<Q>; void m(Q) and void m() (one-way, no CallOptions)";

    private static final Log logger = LogFactory.getLog(ParleyStubProxies.class);

    private ParleyStubProxies() {
    }

    /**
     * Returns an implementation of a client interface that calls through a Parley client.
     *
     * @param iface the client interface
     * @param client the client to call through
     * @param <T> the interface type
     * @return the implementation
     * @throws IllegalStateException if {@code iface} is not an interface or one of its methods has
     *         an unsupported shape
     */
    public static <T> T create(Class<T> iface, ParleyClient client) {
        Objects.requireNonNull(client, "client");
        Map<Method, Call> calls = calls(iface);
        Object proxy = Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] { iface }, new Handler(iface, client, calls));
        return iface.cast(proxy);
    }

    /**
     * Checks that a client interface can be made into a client, without making one.
     *
     * @param iface the client interface
     * @throws IllegalStateException if {@code iface} is not an interface or one of its methods has
     *         an unsupported shape
     */
    public static void check(Class<?> iface) {
        calls(iface);
    }

    private static Map<Method, Call> calls(Class<?> iface) {
        Objects.requireNonNull(iface, "iface");
        if (!iface.isInterface() || iface.isAnnotation()) {
            throw new IllegalStateException("@ParleyStub " + iface.getName() + " is not an interface (expected: an interface)");
        }
        Map<Method, Call> calls = new HashMap<>();
        for (Method method : iface.getMethods()) {
            if (!method.isDefault() && !Modifier.isStatic(method.getModifiers()) && !isObjectMethod(method)) {
                calls.put(method, call(iface, method));
            }
        }
        return calls;
    }

    private static boolean isObjectMethod(Method method) {
        return ReflectionUtils.isEqualsMethod(method) || ReflectionUtils.isHashCodeMethod(method)
                || ReflectionUtils.isToStringMethod(method);
    }

    private static Call call(Class<?> iface, Method method) {
        ParleyMethod annotation = AnnotatedElementUtils.findMergedAnnotation(method, ParleyMethod.class);
        String name = annotation == null || annotation.value().isEmpty() ? method.getName() : annotation.value();
        io.parley.spring.ParleyStub declared = AnnotatedElementUtils.findMergedAnnotation(iface, io.parley.spring.ParleyStub.class);
        boolean idempotent = (annotation != null && annotation.idempotent()) || (declared != null && declared.idempotent());
        Class<?>[] parameters = method.getParameterTypes();
        int count = parameters.length;
        boolean withOptions = count > 0 && parameters[count - 1] == CallOptions.class;
        int requestCount = withOptions ? count - 1 : count;
        if (requestCount > 1) {
            throw unsupported(iface, method, "it takes " + requestCount + " request parameters (expected: at most one)");
        }
        if (requestCount == 1 && (parameters[0] == CallOptions.class || AsyncCall.class.isAssignableFrom(parameters[0]))) {
            throw unsupported(iface, method, "its request parameter is a " + parameters[0].getSimpleName());
        }
        boolean requests = requestCount == 1 && (parameters[0] == Flux.class || parameters[0] == Publisher.class);
        if (requestCount == 1 && !requests && Publisher.class.isAssignableFrom(parameters[0])) {
            throw unsupported(iface, method, "its request parameter is a " + parameters[0].getSimpleName()
                    + " (expected: Flux<Q> or Publisher<Q> for a stream of requests, or Q for one request)");
        }
        int optionsIndex = withOptions ? count - 1 : -1;
        boolean withRequest = requestCount == 1;
        ResolvableType returnType = ResolvableType.forMethodReturnType(method, iface);
        Class<?> returnClass = method.getReturnType();
        ResolvableType replyType = returnType.getGeneric(0);
        if (returnClass == Mono.class && requests) {
            Type reply = toType(replyType);
            return (client, args) -> {
                CallOptions options = options(client, args, optionsIndex, idempotent);
                return options == null ? client.clientStream(name, requests(args), reply)
                        : client.clientStream(name, requests(args), reply, options);
            };
        }
        if (returnClass == Mono.class) {
            Type reply = toType(replyType);
            return (client, args) -> {
                CallOptions options = options(client, args, optionsIndex, idempotent);
                return options == null ? client.call(name, request(args, withRequest), reply)
                        : client.call(name, request(args, withRequest), reply, options);
            };
        }
        if (returnClass == Flux.class) {
            Type item = toType(replyType);
            if (requests) {
                return (client, args) -> {
                    CallOptions options = options(client, args, optionsIndex, idempotent);
                    return options == null ? client.channel(name, requests(args), item)
                            : client.channel(name, requests(args), item, options);
                };
            }
            return (client, args) -> {
                CallOptions options = options(client, args, optionsIndex, idempotent);
                return options == null ? client.stream(name, request(args, withRequest), item)
                        : client.stream(name, request(args, withRequest), item, options);
            };
        }
        if (requests) {
            throw unsupported(iface, method, "it takes a stream of requests but returns " + returnClass.getSimpleName()
                    + " (expected: Mono for a client stream, Flux for a channel)");
        }
        if (returnClass == ClientStream.class) {
            Type item = toType(replyType);
            return (client, args) -> {
                CallOptions options = options(client, args, optionsIndex, idempotent);
                return options == null ? client.startStream(name, request(args, withRequest), item)
                        : client.startStream(name, request(args, withRequest), item, options);
            };
        }
        if (returnClass == ClientCall.class) {
            if (replyType.hasGenerics()) {
                throw unsupported(iface, method, returnClass.getSimpleName() + "<R> needs a reply type R that is a plain class, not "
                        + replyType + " (a " + (returnClass == ClientCall.class ? "Mono" : "Flux") + "<R> method takes any reply type)");
            }
            Class<?> replyClass = replyType.resolve(Object.class);
            return (client, args) -> {
                CallOptions options = options(client, args, optionsIndex, idempotent);
                return options == null ? client.start(name, request(args, withRequest), replyClass)
                        : client.start(name, request(args, withRequest), replyClass, options);
            };
        }
        if (returnClass == void.class) {
            if (withOptions) {
                throw unsupported(iface, method, "a one-way (void) method takes no CallOptions: nothing comes back to time or cancel");
            }
            return (client, args) -> {
                send(client, name, request(args, withRequest));
                return null;
            };
        }
        throw unsupported(iface, method, "it returns " + returnClass.getSimpleName()
                + " (expected: Mono, Flux, ClientCall, ClientStream or void)");
    }

    /** Fire and forget: nobody waits for the call, so a request that could not be sent is logged. */
    private static void send(ParleyClient client, String name, @Nullable Object request) {
        client.send(name, request).subscribe(null, error -> logger.warn("One-way call to '" + name + "' was not sent: " + error));
    }

    private static Publisher<?> requests(Object @Nullable [] args) {
        Object requests = args != null ? args[0] : null;
        if (requests == null) {
            throw new NullPointerException("requests: null (expected: a Publisher, Flux.empty() for none)");
        }
        return (Publisher<?>) requests;
    }

    private static @Nullable Object request(Object @Nullable [] args, boolean withRequest) {
        return withRequest && args != null ? args[0] : null;
    }

    /**
     * The call's options: the caller's, else {@code null} for the client's defaults; for an
     * idempotent method, either declared idempotent whatever the caller said.
     */
    private static @Nullable CallOptions options(ParleyClient client, Object @Nullable [] args, int index,
            boolean idempotent) {
        CallOptions options = index >= 0 && args != null ? (CallOptions) args[index] : null;
        if (!idempotent) {
            return options;
        }
        return (options != null ? options : client.defaultOptions()).withIdempotent(true);
    }

    /** The reply type as the codec wants it: type variables resolved against the interface. */
    private static Type toType(ResolvableType type) {
        Class<?> raw = type.resolve(Object.class);
        if (type.isArray()) {
            Type component = toType(type.getComponentType());
            return component instanceof Class<?> c ? c.arrayType() : new GenericArray(component);
        }
        if (!type.hasGenerics()) {
            return raw;
        }
        Type[] arguments = Arrays.stream(type.getGenerics()).map(ParleyStubProxies::toType).toArray(Type[]::new);
        return new Parameterized(raw, arguments, raw.getDeclaringClass());
    }

    private static IllegalStateException unsupported(Class<?> iface, Method method, String why) {
        return new IllegalStateException("@ParleyStub method " + iface.getSimpleName() + "." + method.getName() + "("
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", "))
                + ") has an unsupported signature: " + why + "; " + SUPPORTED_SHAPES);
    }

    @FunctionalInterface
    private interface Call {
        @Nullable Object invoke(ParleyClient client, Object @Nullable [] args);
    }

    private static final class Handler implements InvocationHandler {

        private final Class<?> iface;
        private final ParleyClient client;
        private final Map<Method, Call> calls;

        Handler(Class<?> iface, ParleyClient client, Map<Method, Call> calls) {
            this.iface = iface;
            this.client = client;
            this.calls = calls;
        }

        @Override
        public @Nullable Object invoke(Object proxy, Method method, Object @Nullable [] args) throws Throwable {
            Call call = calls.get(method);
            if (call != null) {
                return call.invoke(client, args);
            }
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (ReflectionUtils.isEqualsMethod(method)) {
                return args != null && proxy == args[0];
            }
            if (ReflectionUtils.isHashCodeMethod(method)) {
                return System.identityHashCode(proxy);
            }
            if (ReflectionUtils.isToStringMethod(method)) {
                return "@ParleyStub " + iface.getName() + " over " + client;
            }
            throw new IllegalStateException("no Parley call for " + method);
        }
    }

    private record Parameterized(Class<?> raw, Type[] arguments, @Nullable Type owner) implements ParameterizedType {

        @Override
        public Type[] getActualTypeArguments() {
            return arguments.clone();
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public @Nullable Type getOwnerType() {
            return owner;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof ParameterizedType p && raw.equals(p.getRawType())
                    && Arrays.equals(arguments, p.getActualTypeArguments()) && Objects.equals(owner, p.getOwnerType());
        }

        @Override
        public int hashCode() {
            // As the JDK's own ParameterizedType computes it, so the two are interchangeable as keys.
            return Arrays.hashCode(arguments) ^ Objects.hashCode(owner) ^ raw.hashCode();
        }

        @Override
        public String toString() {
            return getTypeName();
        }

        @Override
        public String getTypeName() {
            return raw.getTypeName() + Arrays.stream(arguments).map(Type::getTypeName).collect(Collectors.joining(", ", "<", ">"));
        }
    }

    private record GenericArray(Type component) implements GenericArrayType {

        @Override
        public Type getGenericComponentType() {
            return component;
        }

        @Override
        public boolean equals(@Nullable Object o) {
            return o instanceof GenericArrayType g && component.equals(g.getGenericComponentType());
        }

        @Override
        public int hashCode() {
            return component.hashCode();
        }

        @Override
        public String toString() {
            return getTypeName();
        }

        @Override
        public String getTypeName() {
            return component.getTypeName() + "[]";
        }
    }
}
