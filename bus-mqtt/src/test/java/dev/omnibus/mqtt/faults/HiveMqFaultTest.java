package dev.omnibus.mqtt.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.mqtt.OwnHiveMq;
import dev.omnibus.tck.FaultSuite;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The fault suite over MQTT 5 on HiveMQ Community Edition embedded in the test JVM ({@link OwnHiveMq}: its own port
 * and data folder; the machine's Mosquitto is not touched). HiveMQ keeps persistent sessions <em>with their shared
 * subscriptions</em> and the messages queued for them across a restart, so unlike {@link MqttFaultTest} the restart
 * scenario runs and must lose nothing. Reports go to {@code target/faults/hivemq/}.
 *
 * <p>Also: a group member whose process is killed ({@code kill -9}) while it holds unacknowledged events; HiveMQ puts
 * a disconnected member's unacknowledged shared-subscription messages back in the group's queue, so the other member
 * gets them all without the killed one coming back.
 */
class HiveMqFaultTest extends FaultSuite {

  private static @Nullable OwnHiveMq broker;
  private static @Nullable MalformedPublisher malformed;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = OwnHiveMq.start("faults");
    malformed = new MalformedPublisher(broker.address(), WAIT);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    try {
      if (malformed != null) {
        malformed.close();
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
  }

  private static OwnHiveMq broker() {
    return Objects.requireNonNull(broker);
  }

  /**
   * The suite's member-closed scenario needs its first member to get 100 of the 2,000 events while both members are
   * subscribed. HiveMQ CE does not split a shared subscription of persistent sessions: measured with two plain paho
   * clients (clean start false, session expiry 600 s) on {@code $share/g/t}, one got all 1,000 messages and the other
   * none (with clean sessions they got 531 and 469). Whichever member it picks takes everything, so the scenario's
   * premise is luck on this broker; the handover it checks is the binding's own, in one JVM, and runs on Mosquitto
   * ({@code MqttFaultTest}, {@code MqttTransportTest}).
   */
  @BeforeEach
  void skipWhatHiveMqDoesNotSplit(TestInfo test) {
    Assumptions.assumeFalse(test.getTestMethod().map(Method::getName)
            .filter("unackedEventsOfAClosedMemberReachAnotherMember"::equals).isPresent(),
        "HiveMQ CE hands all of a group of persistent sessions to one member, so the first member may get none of "
            + "the events the scenario needs it to hold");
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(broker().server("faults-hivemq"));
  }

  @Override
  protected String binding() {
    return "mqtt-hivemq";
  }

  @Override
  protected Path reportDirectory() {
    return Path.of("target", "faults", "hivemq");
  }

  /** Stops the embedded broker (about 4 s) and starts it again on the same port with the same data folder. */
  @Override
  protected void restartBroker() {
    broker().stop();
    broker().restart();
  }

  /**
   * A QoS 1 MQTT 5 publish without user properties: even ones plain text, odd ones with the structured content type
   * but a body that is not JSON.
   */
  @Override
  protected void publishMalformed(String address, int index) throws Exception {
    Objects.requireNonNull(malformed).publish(address, index);
  }

  @Test
  void unackedEventsOfAKilledMemberProcessReachTheOtherMember() throws Exception {
    KilledMemberScenario.Result result = KilledMemberScenario.run(binding(), broker().address(), reportDirectory());

    assertThat(result.afterKill().acked()).as("publishes confirmed").isEqualTo(KilledMemberScenario.EVENTS);
    assertThat(result.afterKill().lost())
        .as("events the killed member left unacknowledged that the other member never got: %s", result.afterKill())
        .isZero();
  }
}
