package dev.omnibus.test;

import static dev.omnibus.test.KitEvents.PLACED;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.omnibus.EventBus;
import dev.omnibus.TransportClosedException;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.test.KitEvents.Placed;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The extension's contract: a broker and a bus per test, closed after it, built from the settings; and what it refuses
 * to give. Lifecycle is checked by running small sample classes with the JUnit launcher.
 */
@OmnibusTest(asyncApi = "kit-orders.yaml", source = "/kit")
class OmnibusExtensionTest {

  private static final String SAMPLE = "dev.omnibus.test.OmnibusExtensionTest#launching";

  @Test
  void theBusRunsOnTheTestsOwnBrokerWithTheAnnotationsDocumentAndSource(EventBus bus, InMemoryBroker broker) {
    bus.publish(PLACED, new Placed("o-1", 100)).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();

    assertThat(bus.server().host()).isEqualTo(broker.name());
    assertThat(broker.published("kit.orders")).extracting(CloudEvent::getSource)
        .containsExactly(URI.create("/kit"));
  }

  @Test
  void withoutATestClockRetriesWaitInRealTime(EventBus bus, BusRecorder events) {
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(PLACED, "billing", event -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("once");
      }
    });

    bus.publish(PLACED, new Placed("o-1", 100));

    assertThat(events).awaitConsumed(PLACED, 1).containsExactly(new Placed("o-1", 100));
  }

  @Test
  void eachTestHasABrokerOfItsOwnAndItsBusIsClosedAfterIt() {
    TwoTestMethods.brokers.clear();
    TwoTestMethods.buses.clear();

    TestExecutionSummary summary = run(TwoTestMethods.class);

    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
    assertThat(TwoTestMethods.brokers).extracting(InMemoryBroker::name).doesNotHaveDuplicates().hasSize(2);
    assertThat(TwoTestMethods.buses).allSatisfy(bus -> assertThat(bus.publish(PLACED, new Placed("o-1", 1))
        .toCompletableFuture()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
        .havingCause().isInstanceOf(TransportClosedException.class));
  }

  @Test
  void aBusOnAnotherServerRunsThereAndHasNoInMemoryBroker() {
    OtherServer.hosts.clear();

    TestExecutionSummary summary = run(OtherServer.class);

    assertThat(OtherServer.hosts).containsExactly("kit-elsewhere");
    assertThat(summary.getFailures()).singleElement().satisfies(failure -> assertThat(failure.getException())
        .hasMessageContaining("runs on server 'elsewhere' (memory), not on an InMemoryBroker"));
  }

  @Test
  void aTestClockIsRefusedWhereTheBusDoesNotWaitOnIt() {
    TestExecutionSummary summary = run(ClockOnlyAfterEach.class);

    assertThat(summary.getFailures()).singleElement().satisfies(failure -> assertThat(failure.getException())
        .hasMessageContaining("waits its retries in real time")
        .hasMessageContaining("retriesOnTestClock()"));
  }

  @Test
  void aBusIsNotGivenOutsideATest() {
    TestExecutionSummary summary = run(BusInBeforeAll.class);

    assertThat(summary.getFailures()).singleElement().satisfies(failure -> assertThat(failure.getException())
        .hasMessageContaining("to test methods, @BeforeEach and @AfterEach methods only"));
  }

  /** Whether a sample class runs because a test here launched it, not because a build picked it up. */
  private static volatile boolean launching;

  static boolean launching() {
    return launching;
  }

  private static TestExecutionSummary run(Class<?> sample) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launching = true;
    try {
      LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(sample))
          .build(), listener);
    } finally {
      launching = false;
    }
    return listener.getSummary();
  }

  /** Two tests, each keeping its broker and bus. Run by the launcher only. */
  @OmnibusTest
  @EnabledIf(SAMPLE)
  static class TwoTestMethods {
    static final List<InMemoryBroker> brokers = new CopyOnWriteArrayList<>();
    static final List<EventBus> buses = new CopyOnWriteArrayList<>();

    @Test
    void first(EventBus bus, InMemoryBroker broker) {
      buses.add(bus);
      brokers.add(broker);
    }

    @Test
    void second(EventBus bus, InMemoryBroker broker) {
      buses.add(bus);
      brokers.add(broker);
    }
  }

  /** A bus on a server given by the settings. Run by the launcher only. */
  @EnabledIf(SAMPLE)
  static class OtherServer {
    static final List<String> hosts = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final OmnibusExtension omnibus = OmnibusExtension.builder()
        .server(() -> ServerConfig.of("elsewhere", "memory", "kit-elsewhere"))
        .build();

    @Test
    void runsElsewhere(EventBus bus) {
      hosts.add(bus.server().host());
    }

    @Test
    void hasNoBroker(InMemoryBroker broker) {
      hosts.add("not expected: " + broker.name());
    }
  }

  /** Asks for a TestClock after a test that did not. Run by the launcher only. */
  @OmnibusTest
  @EnabledIf(SAMPLE)
  static class ClockOnlyAfterEach {

    @Test
    void usesTheBus(EventBus bus) {
      assertThat(bus).isNotNull();
    }

    @AfterEach
    void advance(TestClock clock) {
      clock.advance(Duration.ofMinutes(1));
    }
  }

  /** Asks for a bus where there is no test. Run by the launcher only. */
  @OmnibusTest
  @EnabledIf(SAMPLE)
  static class BusInBeforeAll {

    @BeforeAll
    static void setUp(EventBus bus) {
      assertThat(bus).isNotNull();
    }

    @Test
    void nothing() {
      assertThat(true).isTrue();
    }
  }
}
