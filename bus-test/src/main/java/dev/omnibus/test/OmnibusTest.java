package dev.omnibus.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class with the {@link OmnibusExtension}: each test gets a fresh in-memory broker and a bus on it, which
 * its methods take as parameters ({@code EventBus}, {@code InMemoryBroker}, {@link BusRecorder}, {@link TestClock}).
 *
 * <pre>{@code
 * {@literal @}OmnibusTest(asyncApi = "asyncapi.yaml", source = "/billing")
 * class BillingTest {
 *   {@literal @}Test
 *   void chargesEveryPlacedOrder(EventBus bus, BusRecorder events) {
 *     Billing.subscribe(bus);
 *     bus.publish(ORDER_PLACED, order);
 *     assertThat(events).awaitPublished(ORDER_PAID, 1).containsExactly(new OrderPaid("o-1", 4599, "EUR"));
 *   }
 * }
 * }</pre>
 *
 * <p>For more settings (event types to register, a retry policy, another server), register the extension with
 * {@code @RegisterExtension} and {@link OmnibusExtension#builder()} instead; use one or the other, not both.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(OmnibusExtension.class)
public @interface OmnibusTest {

  /** The AsyncAPI document of the service, as a classpath resource; none by default (channels are their ids). */
  String asyncApi() default "";

  /** The CloudEvents {@code source} of what the bus publishes, e.g. {@code /billing}; the bus's default if empty. */
  String source() default "";
}
