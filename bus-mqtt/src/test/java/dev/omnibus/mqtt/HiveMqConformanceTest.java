package dev.omnibus.mqtt;

import dev.omnibus.EventBus;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.tck.TransportConformanceSuite;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance kit over MQTT 5 on a second broker, HiveMQ Community Edition embedded in the test JVM
 * ({@link OwnHiveMq}: its own free port and data folder), so the binding is not only shaped by Mosquitto's habits.
 *
 * <p>Skipped scenarios are those of {@link Mqtt5ConformanceTest}, for the same reasons (no per-key order over a shared
 * subscription; a group subscribing later gets no earlier events), and those needing {@code CONCURRENT_SETTLE}: the
 * binding settles out of order on HiveMQ too, but HiveMQ CE sends a client its queued messages in batches (polled from
 * its queue, at most 50 unacknowledged) and polls the next batch only once every message of the previous one was
 * acknowledged; MQTT 5 lets a server send fewer than the client's Receive Maximum. Measured with a plain paho client:
 * of 50 QoS 1 messages published to a subscriber that acknowledges nothing, 1 arrived. So handlers that wait for one
 * another, or an event retried in place while the others should go on, hold the subscription back; concurrency
 * gives parallel handlers only within a batch. Not a binding bug: no client can make the broker send more.
 *
 * <p>Each scenario's buses have a client id base of their own ({@link #clientId}), as separate services do. With one
 * base for all, every scenario resumed the persistent group sessions the scenarios before it left (group {@code g}
 * is in many of them), with their subscriptions and any message still unacknowledged there. A message for a filter
 * the new bus does not hold waits unacknowledged for a claim (up to a minute, then it is dropped); on HiveMQ, whose
 * next batch waits for it, that held the whole session back, and a later scenario whose channel shared the session
 * timed out. The buses within one scenario keep one base: those that resume a group member's session need it.
 */
class HiveMqConformanceTest extends TransportConformanceSuite {

  private static final AtomicInteger SCENARIOS = new AtomicInteger();
  private static @Nullable OwnHiveMq broker;

  /** A new instance per scenario (JUnit's default lifecycle, nested classes included): its buses' base. */
  private final String clientId = "omnibus-tck-" + SCENARIOS.incrementAndGet();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = OwnHiveMq.start("conformance");
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(Objects.requireNonNull(broker).server("tck-hivemq", clientId));
  }

  /** What the binding declares, less {@code CONCURRENT_SETTLE}, which HiveMQ's batches defeat (see above). */
  @Override
  protected TransportCapabilities capabilities() {
    TransportCapabilities declared = super.capabilities();
    Set<Feature> features = EnumSet.copyOf(declared.features());
    features.remove(Feature.CONCURRENT_SETTLE);
    return new TransportCapabilities(declared.convention(), features, declared.maxMessageBytes(),
        declared.publishConfirmation());
  }

  /**
   * Paho's MQTT 5 client refuses to write noncharacters (U+FDD0...) into user properties ("Invalid UTF-8 char"), as
   * MQTT 5.0 §1.5.4 allows: such inputs cannot be published, whatever the broker.
   */
  @Override
  protected boolean carriesNoncharactersInHeaders() {
    return false;
  }

  /** MQTT topic levels are separated by '/'; a '.' is part of a level. */
  @Override
  protected String levelSeparator() {
    return "/";
  }
}
