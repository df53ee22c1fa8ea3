package dev.omnibus.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.PropertyMapping;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.AliasFor;
import org.springframework.test.context.TestPropertySource;

/**
 * A {@link SpringBootTest} whose bus runs on a fresh in-memory broker of its own (the document's channels on the
 * {@code memory} binding), whatever {@code omnibus.server} says: the application's listeners, publishers and
 * interceptors run as in production, without a broker. Needs {@code dev.omnibus:bus-inmemory} on the test classpath
 * (the starter brings it). With {@code dev.omnibus:bus-test} on the test classpath the test kit is there too
 * ({@link OmnibusTestKitConfiguration}): a {@code BusRecorder} bean for {@code OmnibusAssertions.assertThat(...)},
 * cleared before each test method, and with {@link #retriesOnTestClock()} a {@code TestClock} bean the retries wait
 * on.
 *
 * <pre>{@code
 * {@literal @}OmnibusTest
 * class OrdersTest {
 *   {@literal @}Autowired EventBus bus;
 *   {@literal @}Autowired BusRecorder events;
 *   {@literal @}Test void billsPlacedOrders() {
 *     bus.publish(orderPlaced, order);
 *     assertThat(events).awaitPublished(orderPaid, 1).hasSize(1);
 *   }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@SpringBootTest
@TestPropertySource(properties = "omnibus.in-memory=true")
@Import(OmnibusTestKitConfiguration.class)
public @interface OmnibusTest {

  /** Properties for the test's environment, as {@link SpringBootTest#properties()}. */
  @AliasFor(annotation = SpringBootTest.class, attribute = "properties")
  String[] properties() default {};

  /** The application's configuration classes, as {@link SpringBootTest#classes()}. */
  @AliasFor(annotation = SpringBootTest.class, attribute = "classes")
  Class<?>[] classes() default {};

  /** The web environment, as {@link SpringBootTest#webEnvironment()}. */
  @AliasFor(annotation = SpringBootTest.class, attribute = "webEnvironment")
  SpringBootTest.WebEnvironment webEnvironment() default SpringBootTest.WebEnvironment.MOCK;

  /**
   * Whether the bus's retries wait on a {@code TestClock} bean the test moves ({@code clock.advanceToNextBackoff()})
   * instead of real time; needs {@code dev.omnibus:bus-test}. Sets {@code omnibus.test.retries-on-test-clock}.
   */
  @PropertyMapping("omnibus.test.retries-on-test-clock")
  boolean retriesOnTestClock() default false;
}
