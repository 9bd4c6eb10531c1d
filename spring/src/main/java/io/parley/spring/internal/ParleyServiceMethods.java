package io.parley.spring.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.UndeclaredThrowableException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import io.parley.core.server.AsyncCall;
import io.parley.core.server.FluxHandler;
import io.parley.core.server.ServerCallInfo;
import io.parley.core.server.ServerMethod;
import io.parley.core.server.ServerStream;
import io.parley.core.server.StreamHandler;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Reads the {@link ParleyMethod @ParleyMethod} methods of {@link ParleyService @ParleyService}
 * beans into {@link ServerMethod}s, in the shapes {@link ParleyMethod} lists.
 *
 * <pre>{@code
 * List<ServerMethod<?, ?>> methods = ParleyServiceMethods.collect(applicationContext);
 * ParleyServer.builder().methods(methods)...
 * }</pre>
 *
 * <p>Methods are invoked through the bean, so AOP proxies (transactions, security, metrics)
 * apply. The request is decoded to the erasure of the request parameter's type: a
 * {@code List<Order>} parameter receives a list of whatever the codec makes of each element
 * (maps, for JSON), because {@link ServerMethod} takes a {@code Class}; wrap such a list in a
 * request class of its own. A primitive request parameter is decoded to its wrapper type; a call
 * that carries no request then fails with {@code RPC_S_CALL_FAILED}. Each request of a
 * {@code Flux<Q>} parameter is decoded to {@code Q}, read from the type argument (resolved against
 * the bean's class, so a type variable bound by a subclass works), with the same erasure.
 *
 * <p>The shape of the call follows from the signature: a {@code Flux} return makes a server stream,
 * a {@code Flux} parameter a client stream ({@code Mono} return) or a channel ({@code Flux} return,
 * or {@code void} with a {@link ServerStream}), and {@code void} without a handle a one-way call.
 * Any shape may take one parameter of type {@link java.security.Principal}, or a subtype (Spring
 * Security's {@code Authentication}, say), anywhere in its list: the caller's principal, or
 * {@code null} for a call without one or with a principal of another type.
 *
 * <p>With Spring Security on the classpath, its refusals — an {@code AccessDeniedException} (such
 * as the {@code AuthorizationDeniedException} of a {@code @PreAuthorize} that denies) or an
 * {@code AuthenticationException}, thrown or emitted — end the call with
 * {@code RPC_S_ACCESS_DENIED} and the detail "access denied", not {@code RPC_S_CALL_FAILED}.
 */
public final class ParleyServiceMethods {

    static final String SUPPORTED_SHAPES = "supported: Mono<R> m(Q), Mono<R> m(Q, AsyncCall<R>), "
            + "void m(Q, AsyncCall<R>), R m(Q) (blocking, run on boundedElastic), "
            + "Flux<R> m(Q), Flux<R> m(Q, ServerStream<R>), void m(Q, ServerStream<R>) (server streams), "
            + "void m(Q) (one-way, blocking), and each of these without the request parameter Q; "
            + "Mono<R> m(Flux<Q>) (client stream), Flux<R> m(Flux<Q>) and void m(Flux<Q>, ServerStream<R>) (channels); "
            + "any of them may also take one java.security.Principal parameter (or a subtype, such as Authentication), the caller";

    private ParleyServiceMethods() {
    }

    /**
     * Finds every {@code @ParleyService} bean and returns the server methods of all of them.
     *
     * @param beanFactory the application's bean factory
     * @return the methods, ordered by bean name and then by method name
     * @throws IllegalStateException if a method has an unsupported shape, or two methods share a
     *         Parley name
     */
    public static List<ServerMethod<?, ?>> collect(ListableBeanFactory beanFactory) {
        String[] beanNames = beanFactory.getBeanNamesForAnnotation(ParleyService.class);
        Arrays.sort(beanNames);
        Map<String, Class<?>> userClasses = new LinkedHashMap<>();
        List<ServerMethod<?, ?>> methods = new ArrayList<>();
        for (String beanName : beanNames) {
            Object bean = beanFactory.getBean(beanName);
            Class<?> userClass = userClass(bean);
            userClasses.put(beanName, userClass);
            methods.addAll(of(bean, userClass));
        }
        checkNoDuplicates(userClasses);
        return methods;
    }

    /**
     * Returns the server methods of one bean: one per {@code @ParleyMethod} method.
     *
     * @param bean the bean, possibly an AOP proxy, through which the methods are invoked
     * @param userClass the bean's own class, under any proxy: {@code AopUtils.getTargetClass}
     *        followed by {@code ClassUtils.getUserClass}
     * @return the methods, ordered by method name
     * @throws IllegalStateException if a method has an unsupported shape, or two methods share a
     *         Parley name
     */
    public static List<ServerMethod<?, ?>> of(Object bean, Class<?> userClass) {
        checkNoDuplicates(new LinkedHashMap<>(), null, userClass);
        List<ServerMethod<?, ?>> methods = new ArrayList<>();
        for (Map.Entry<Method, ParleyMethod> entry : annotatedMethods(userClass)) {
            ServerMethod<?, ?> method = serverMethod(bean, userClass, entry.getKey(), name(entry.getKey(), entry.getValue()));
            methods.add(entry.getValue().idempotent() ? method.idempotent() : method);
        }
        return methods;
    }

    /**
     * Checks that no two {@code @ParleyMethod} methods of the given beans share a Parley name.
     *
     * @param userClassesByBeanName each bean's own class, by bean name
     * @throws IllegalStateException naming both methods of the first name served twice
     */
    public static void checkNoDuplicates(Map<String, Class<?>> userClassesByBeanName) {
        Map<String, String> servedBy = new LinkedHashMap<>();
        userClassesByBeanName.forEach((beanName, userClass) -> checkNoDuplicates(servedBy, beanName, userClass));
    }

    private static void checkNoDuplicates(Map<String, String> servedBy, @Nullable String beanName, Class<?> userClass) {
        for (Map.Entry<Method, ParleyMethod> entry : annotatedMethods(userClass)) {
            String name = name(entry.getKey(), entry.getValue());
            String where = describe(entry.getKey()) + (beanName != null ? " of bean '" + beanName + "'" : "");
            String first = servedBy.putIfAbsent(name, where);
            if (first != null) {
                throw new IllegalStateException("Parley method '" + name + "' is served twice: by "
                        + first + " and by " + where + " (expected: one @ParleyMethod per name)");
            }
        }
    }

    /**
     * The bean's own class, under any AOP or CGLIB proxy.
     *
     * @param bean the bean
     * @return its class
     */
    public static Class<?> userClass(Object bean) {
        return ClassUtils.getUserClass(AopUtils.getTargetClass(bean));
    }

    private static List<Map.Entry<Method, ParleyMethod>> annotatedMethods(Class<?> userClass) {
        Map<Method, ParleyMethod> found = MethodIntrospector.selectMethods(userClass,
                (MethodIntrospector.MetadataLookup<ParleyMethod>) m -> AnnotatedElementUtils.findMergedAnnotation(m, ParleyMethod.class));
        List<Map.Entry<Method, ParleyMethod>> sorted = new ArrayList<>(found.entrySet());
        sorted.sort(Comparator.comparing((Map.Entry<Method, ParleyMethod> e) -> name(e.getKey(), e.getValue()))
                .thenComparing(e -> describe(e.getKey())));
        return sorted;
    }

    private static String name(Method method, ParleyMethod annotation) {
        return annotation.value().isEmpty() ? method.getName() : annotation.value();
    }

    @SuppressWarnings("unchecked")
    private static ServerMethod<?, ?> serverMethod(Object bean, Class<?> userClass, Method method, String name) {
        if (Modifier.isStatic(method.getModifiers())) {
            throw unsupported(method, "it is static");
        }
        Class<?>[] declared = method.getParameterTypes();
        int principalAt = principalIndex(method, declared);
        Class<?>[] parameters = principalAt < 0 ? declared : without(declared, principalAt);
        boolean withPrincipal = principalAt >= 0;
        int count = parameters.length;
        Class<?> handle = count > 0 && isHandle(parameters[count - 1]) ? parameters[count - 1] : null;
        boolean withCall = handle != null;
        boolean withStream = handle == ServerStream.class;
        int requestCount = withCall ? count - 1 : count;
        if (requestCount > 1) {
            throw unsupported(method, "it takes " + requestCount + " request parameters (expected: at most one)");
        }
        if (requestCount == 1 && isHandle(parameters[0])) {
            throw unsupported(method, "it takes two call handles, " + parameters[0].getSimpleName() + " and "
                    + parameters[1].getSimpleName() + " (expected: at most one, after the request)");
        }
        boolean requests = requestCount == 1 && parameters[0] == Flux.class;
        if (requestCount == 1 && !requests && Publisher.class.isAssignableFrom(parameters[0])) {
            throw unsupported(method, "its request parameter is a " + parameters[0].getSimpleName()
                    + " (expected: Flux<Q> for a stream of requests, or Q for one request)");
        }
        Class<Object> requestType = (Class<Object>) (requestCount == 0 ? Void.class
                : requests ? elementType(method, principalAt == 0 ? 1 : 0, userClass)
                        : ClassUtils.resolvePrimitiveIfNecessary(parameters[0]));
        Class<?> returnType = method.getReturnType();
        Handler handler = handler(bean, invocable(bean, method), declared, principalAt, requestCount == 1);
        if (returnType == Mono.class) {
            if (withStream) {
                throw unsupported(method, "it takes a ServerStream but returns Mono (expected: Flux or void)");
            }
            if (requests) {
                if (withCall) {
                    throw unsupported(method, "a client stream is not given its AsyncCall (expected: Mono<R> m(Flux<Q>))");
                }
                return ServerMethod.<Object, Object>clientStream(name, requestType,
                        flux -> withPrincipal ? Mono.deferContextual(context -> clientStream(handler, flux, principal(context)))
                                : clientStream(handler, flux, null));
            }
            return ServerMethod.<Object, Object>mono(name, requestType,
                    (request, call) -> guard((Mono<?>) handler.handle(request, call, call.principal())));
        }
        if (returnType == Flux.class) {
            if (requests) {
                if (withCall) {
                    throw unsupported(method, "a channel returning Flux is not given its " + Objects.requireNonNull(handle).getSimpleName()
                            + " (expected: Flux<R> m(Flux<Q>), or void m(Flux<Q>, ServerStream<R>) to hold the stream)");
                }
                return ServerMethod.<Object, Object>channel(name, requestType,
                        flux -> withPrincipal ? Flux.deferContextual(context -> channel(handler, flux, principal(context)))
                                : channel(handler, flux, null));
            }
            return ServerMethod.<Object, Object>flux(name, requestType, (FluxHandler<Object, Object>) (request,
                    stream) -> guard((Flux<?>) handler.handle(request, stream, stream.principal())));
        }
        if (returnType == void.class) {
            return voidMethod(method, name, requestType, requests, handle, handler, withPrincipal);
        }
        if (withCall) {
            throw unsupported(method, "it takes " + (withStream ? "a ServerStream" : "an AsyncCall") + " but returns "
                    + returnType.getSimpleName() + " (expected: " + (withStream ? "void or Flux" : "void, Mono or Flux") + ")");
        }
        if (requests) {
            throw unsupported(method, "it takes a Flux of requests but returns " + returnType.getSimpleName()
                    + " (expected: Mono for a client stream, Flux for a channel)");
        }
        if (Publisher.class.isAssignableFrom(returnType) || CompletionStage.class.isAssignableFrom(returnType)
                || Future.class.isAssignableFrom(returnType)) {
            throw unsupported(method, "it returns " + returnType.getSimpleName()
                    + " (expected: Mono, Flux, void or a plain value)");
        }
        return ServerMethod.<Object, Object>mono(name, requestType,
                (request, call) -> Mono.fromCallable(() -> handler.handle(request, call, call.principal()))).blocking();
    }

    /** A client stream's handler, run; what it throws aborts the call all the same. */
    private static Mono<?> clientStream(Handler handler, Flux<Object> requests, @Nullable Principal principal) {
        try {
            return guard((Mono<?>) handler.handle(requests, null, principal));
        }
        catch (Exception e) {
            return Mono.error(e);
        }
    }

    /** A channel's handler, run; what it throws aborts the call all the same. */
    private static Flux<?> channel(Handler handler, Flux<Object> requests, @Nullable Principal principal) {
        try {
            return guard((Flux<?>) handler.handle(requests, null, principal));
        }
        catch (Exception e) {
            return Flux.error(e);
        }
    }

    /** A method returning void: seed-style with a handle, else one-way. */
    @SuppressWarnings("unchecked")
    private static ServerMethod<?, ?> voidMethod(Method method, String name, Class<Object> requestType, boolean requests,
            @Nullable Class<?> handle, Handler handler, boolean withPrincipal) {
        if (handle == ServerStream.class) {
            return requests
                    ? ServerMethod.<Object, Object>channel(name, requestType, (StreamHandler<Flux<Object>, Object>) (flux,
                            stream) -> handler.handle(flux, stream, stream.principal()))
                    : ServerMethod.<Object, Object>stream(name, requestType,
                            (request, stream) -> handler.handle(request, stream, stream.principal()));
        }
        if (requests) {
            throw unsupported(method, handle != null
                    ? "a Flux of requests with an AsyncCall has no reply to complete it with (expected: Mono<R> m(Flux<Q>) "
                            + "for a client stream, or void m(Flux<Q>, ServerStream<R>) for a channel)"
                    : "it returns void for a Flux of requests (expected: Mono<R> for a client stream, Flux<R> for a channel; "
                            + "a one-way method takes one request)");
        }
        if (handle != null) {
            return ServerMethod.<Object, Object>async(name, requestType,
                    (request, call) -> handler.handle(request, call, call.principal()));
        }
        // A plain method, as one returning a value is: it may block, so it runs off the event loop.
        return ServerMethod.<Object>oneWay(name, requestType, request -> (withPrincipal
                ? Mono.deferContextual(context -> Mono.fromCallable(() -> handler.handle(request, null, principal(context))))
                : Mono.fromCallable(() -> handler.handle(request, null, null))).then()).blocking();
    }

    private static boolean isHandle(Class<?> parameter) {
        return parameter == AsyncCall.class || parameter == ServerStream.class;
    }

    /** The index of the method's {@link Principal} parameter, or -1 if it takes none. */
    private static int principalIndex(Method method, Class<?>[] parameters) {
        int found = -1;
        for (int i = 0; i < parameters.length; i++) {
            if (Principal.class.isAssignableFrom(parameters[i])) {
                if (found >= 0) {
                    throw unsupported(method, "it takes two principal parameters, " + parameters[found].getSimpleName()
                            + " and " + parameters[i].getSimpleName() + " (expected: at most one)");
                }
                found = i;
            }
        }
        return found;
    }

    private static Class<?>[] without(Class<?>[] parameters, int index) {
        Class<?>[] rest = new Class<?>[parameters.length - 1];
        System.arraycopy(parameters, 0, rest, 0, index);
        System.arraycopy(parameters, index + 1, rest, index, rest.length - index);
        return rest;
    }

    /**
     * Invokes the method with its arguments in their declared order: the request (if it takes one),
     * the call's handle (if it takes one), the caller's principal (if it takes one, and the caller's
     * is of its type; else {@code null}).
     */
    private static Handler handler(Object bean, Method invocable, Class<?>[] declared, int principalAt, boolean withRequest) {
        int count = declared.length;
        int requestAt = withRequest ? (principalAt == 0 ? 1 : 0) : -1;
        Class<?> principalType = principalAt >= 0 ? declared[principalAt] : Principal.class;
        return (request, call, principal) -> {
            Object[] arguments = new Object[count];
            for (int i = 0; i < count; i++) {
                arguments[i] = i == principalAt ? (principalType.isInstance(principal) ? principal : null)
                        : i == requestAt ? request : call;
            }
            return invoke(bean, invocable, arguments);
        };
    }

    /** The caller's principal, from the Reactor {@code Context} of a handler the core gives no call. */
    private static @Nullable Principal principal(ContextView context) {
        ServerCallInfo call = ServerCallInfo.from(context);
        return call != null ? call.principal() : null;
    }

    /**
     * A handler's {@code Mono}, with Spring Security's refusals as {@code RPC_S_ACCESS_DENIED}; a
     * method that returned {@code null} instead of a {@code Mono} fails the call.
     */
    private static Mono<?> guard(@Nullable Mono<?> result) {
        if (result == null) {
            return Mono.error(new IllegalStateException("the @ParleyMethod returned null (expected: a Mono)"));
        }
        return SecurityFaults.PRESENT ? result.onErrorMap(SecurityFaults::translate) : result;
    }

    /**
     * A handler's {@code Flux}, with Spring Security's refusals as {@code RPC_S_ACCESS_DENIED}; a
     * method that returned {@code null} instead of a {@code Flux} fails the call.
     */
    private static Flux<?> guard(@Nullable Flux<?> result) {
        if (result == null) {
            return Flux.error(new IllegalStateException("the @ParleyMethod returned null (expected: a Flux)"));
        }
        return SecurityFaults.PRESENT ? result.onErrorMap(SecurityFaults::translate) : result;
    }

    /** The {@code Q} of a {@code Flux<Q>} request parameter, type variables resolved against the bean's class. */
    private static Class<?> elementType(Method method, int index, Class<?> userClass) {
        ResolvableType element = ResolvableType.forMethodParameter(method, index, userClass).getGeneric(0);
        Class<?> resolved = element.resolve();
        if (resolved == null) {
            throw unsupported(method, "its Flux parameter names no element type (expected: Flux<Q>)");
        }
        return resolved;
    }

    /** The method to invoke on the bean itself: for a JDK proxy, the interface's. */
    private static Method invocable(Object bean, Method method) {
        Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        ReflectionUtils.makeAccessible(invocable);
        return invocable;
    }

    private static @Nullable Object invoke(Object bean, Method method, Object[] arguments) throws Exception {
        try {
            return method.invoke(bean, arguments);
        }
        catch (InvocationTargetException e) {
            // The handler's own exception, an RpcFault with its code say, is the call's outcome.
            Throwable thrown = SecurityFaults.translate(e.getTargetException());
            if (thrown instanceof Exception) {
                throw (Exception) thrown;
            }
            if (thrown instanceof Error) {
                throw (Error) thrown;
            }
            throw new UndeclaredThrowableException(thrown);
        }
    }

    private static IllegalStateException unsupported(Method method, String why) {
        return new IllegalStateException("@ParleyMethod " + describe(method) + " has an unsupported signature: "
                + why + "; " + SUPPORTED_SHAPES);
    }

    /** {@code Type.method(ParamType, ...)}, as messages name a method. */
    static String describe(Method method) {
        return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }

    @FunctionalInterface
    private interface Handler {
        /**
         * Invokes the method; {@code call} is the call's handle, or {@code null} for a shape the
         * method is not given one; {@code principal} the caller's, or {@code null} if it has none.
         */
        @Nullable Object handle(@Nullable Object request, @Nullable AsyncCall<Object> call, @Nullable Principal principal)
                throws Exception;
    }
}
