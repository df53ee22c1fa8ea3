package dev.omnibus.spring.boot;

import dev.omnibus.test.BusRecorder;
import dev.omnibus.test.TestClock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The test kit ({@code dev.omnibus:bus-test}) in a Boot test: a {@link BusRecorder} bean, the bus's first (outermost)
 * interceptor, so that a test asserts on what the application published, handled, failed on and dead-lettered with
 * {@code OmnibusAssertions.assertThat(recorder)}; the recorder is cleared before each test method. With
 * {@code omnibus.test.retries-on-test-clock=true}, a {@link TestClock} bean too, which the bus's retries wait on, so a
 * test moves through backoffs with {@code clock.advanceToNextBackoff()}.
 *
 * <p>{@link OmnibusTest} imports it; a {@code @SpringBootTest} on a real broker imports it with
 * {@code @Import(OmnibusTestKitConfiguration.class)}. Does nothing without {@code bus-test} on the test classpath.
 *
 * <pre>{@code
 * {@literal @}OmnibusTest
 * class BillingTest {
 *   {@literal @}Autowired EventBus bus;
 *   {@literal @}Autowired BusRecorder events;
 *   {@literal @}Autowired EventType<OrderPlaced> orderPlaced;
 *   {@literal @}Autowired EventType<OrderPaid> orderPaid;
 *
 *   {@literal @}Test
 *   void paysAPlacedOrder() {
 *     bus.publish(orderPlaced, new OrderPlaced("o-1", 4599));
 *     assertThat(events).awaitPublished(orderPaid, 1).extracting(OrderPaid::orderId).containsExactly("o-1");
 *   }
 * }
 * }</pre>
 */
@TestConfiguration(proxyBeanMethods = false)
@ConditionalOnClass(name = "dev.omnibus.test.BusRecorder")
public class OmnibusTestKitConfiguration {

  /** For Spring. */
  public OmnibusTestKitConfiguration() {}

  /** Records what the bus does; the first interceptor, before metrics, tracing and the application's. */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  BusRecorder omnibusBusRecorder() {
    return BusRecorder.create();
  }

  /** Retries on a clock the test moves, with {@code omnibus.test.retries-on-test-clock=true}. */
  @TestConfiguration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "omnibus.test", name = "retries-on-test-clock", havingValue = "true")
  static class RetriesOnTestClock {

    @Bean
    TestClock omnibusTestClock() {
      return TestClock.create();
    }

    @Bean
    EventBusCustomizer omnibusTestClockBackoff(TestClock clock) {
      return builder -> builder.backoff(clock);
    }
  }
}
