package dev.omnibus.spring.boot;

import dev.omnibus.test.BusRecorder;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.support.AbstractTestExecutionListener;
import org.springframework.util.ClassUtils;

/**
 * Clears the context's {@link BusRecorder} before each test method, so that a test's assertions see its own events
 * only although Spring caches the context across tests. Registered in {@code META-INF/spring.factories}; does nothing
 * without {@code bus-test} or without a recorder bean, and never loads a context itself.
 */
public final class OmnibusTestExecutionListener extends AbstractTestExecutionListener {

  private static final boolean TEST_KIT_PRESENT =
      ClassUtils.isPresent("dev.omnibus.test.BusRecorder", OmnibusTestExecutionListener.class.getClassLoader());

  /** For Spring's {@code SpringFactoriesLoader}. */
  public OmnibusTestExecutionListener() {}

  /** After Spring's dependency injection and before the application's own listeners. */
  @Override
  public int getOrder() {
    return 2100;
  }

  @Override
  public void beforeTestMethod(TestContext testContext) {
    if (TEST_KIT_PRESENT && testContext.hasApplicationContext()) {
      Recorders.clear(testContext);
    }
  }

  /** Touches the test kit's classes only when it is present. */
  private static final class Recorders {
    static void clear(TestContext testContext) {
      testContext.getApplicationContext().getBeanProvider(BusRecorder.class).forEach(BusRecorder::clear);
    }
  }
}
