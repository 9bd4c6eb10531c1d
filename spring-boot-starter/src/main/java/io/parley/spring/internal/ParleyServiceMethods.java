package io.parley.spring.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

import io.parley.core.server.AsyncCall;
import io.parley.core.server.ServerMethod;
import io.parley.spring.ParleyMethod;
import io.parley.spring.ParleyService;
import reactor.core.publisher.Mono;

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
 * that carries no request then fails with {@code RPC_S_CALL_FAILED}.
 */
public final class ParleyServiceMethods {

    static final String SUPPORTED_SHAPES = "supported: Mono<R> m(Q), Mono<R> m(Q, AsyncCall<R>), "
            + "void m(Q, AsyncCall<R>), R m(Q) (blocking, run on boundedElastic), "
            + "and each of these without the request parameter Q";

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
            methods.add(serverMethod(bean, entry.getKey(), name(entry.getKey(), entry.getValue())));
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

    /** The bean's own class, under any AOP or CGLIB proxy. */
    static Class<?> userClass(Object bean) {
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
    private static ServerMethod<?, ?> serverMethod(Object bean, Method method, String name) {
        if (Modifier.isStatic(method.getModifiers())) {
            throw unsupported(method, "it is static");
        }
        Class<?>[] parameters = method.getParameterTypes();
        int count = parameters.length;
        boolean withCall = count > 0 && parameters[count - 1] == AsyncCall.class;
        int requestCount = withCall ? count - 1 : count;
        if (requestCount > 1) {
            throw unsupported(method, "it takes " + requestCount + " request parameters (expected: at most one)");
        }
        if (requestCount == 1 && parameters[0] == AsyncCall.class) {
            throw unsupported(method, "it takes two AsyncCall parameters");
        }
        Class<Object> requestType = (Class<Object>) (requestCount == 0 ? Void.class
                : ClassUtils.resolvePrimitiveIfNecessary(parameters[0]));
        Class<?> returnType = method.getReturnType();
        Method invocable = invocable(bean, method);
        Handler handler = requestCount == 0
                ? (request, call) -> invoke(bean, invocable, withCall ? new Object[] { call } : new Object[0])
                : (request, call) -> invoke(bean, invocable, withCall ? new Object[] { request, call } : new Object[] { request });
        if (returnType == Mono.class) {
            return ServerMethod.<Object, Object>mono(name, requestType, (request, call) -> (Mono<?>) handler.handle(request, call));
        }
        if (returnType == void.class) {
            if (!withCall) {
                throw unsupported(method, "it returns void without an AsyncCall parameter to complete");
            }
            return ServerMethod.<Object, Object>async(name, requestType, handler::handle);
        }
        if (withCall) {
            throw unsupported(method, "it takes an AsyncCall but returns " + returnType.getSimpleName()
                    + " (expected: void or Mono)");
        }
        if (Publisher.class.isAssignableFrom(returnType) || CompletionStage.class.isAssignableFrom(returnType)
                || Future.class.isAssignableFrom(returnType)) {
            throw unsupported(method, "it returns " + returnType.getSimpleName() + " (expected: Mono, void or a plain value)");
        }
        return ServerMethod.<Object, Object>mono(name, requestType,
                (request, call) -> Mono.fromCallable(() -> handler.handle(request, call))).blocking();
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
            Throwable thrown = e.getTargetException();
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
        @Nullable Object handle(@Nullable Object request, AsyncCall<Object> call) throws Exception;
    }
}
