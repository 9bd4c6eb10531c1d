package io.parley.spring.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.test.context.TestPropertySource;

/**
 * Serves the application's Parley methods in-process for a {@code @SpringBootTest}: no port, no
 * socket, no network. The auto-configured server binds core's in-process transport, and the
 * auto-configured client — with it every {@code @ParleyStub} bean — calls it, so a test injects a
 * stub and reaches the application's own {@code @ParleyService} beans through the whole call
 * model: codecs, interceptors, security, cancels.
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureParleyInProcess
 * class OrdersTest {
 *
 *     @Autowired
 *     OrderClient orders;           // a @ParleyStub
 *
 *     @Test
 *     void places() {
 *         assertThatCall(orders.place(new Order("tea", 2))).repliesWith(new Receipt("tea", 2));
 *     }
 * }
 * }</pre>
 *
 * <p>It sets {@code parley.server.transport=in-process} and empties {@code parley.client.targets}
 * for the test's context, above the application's own configuration. TLS, leases and resumption
 * are RSocket's and refused with it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = { "parley.server.transport=in-process", "parley.client.targets=" })
public @interface AutoConfigureParleyInProcess {
}
