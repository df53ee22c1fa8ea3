package dev.omnibus.mqtt;

import dev.omnibus.EventBus;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.HealthOutageSuite;
import dev.omnibus.tck.OwnMosquitto;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The MQTT 5 binding against the health kit, on a Mosquitto of this class's own with persistence (the machine's shared
 * broker is never stopped): the outage stops it with SIGTERM, the recovery starts it again on the same port and data.
 * Groups are shared subscriptions on persistent sessions.
 */
class MqttHealthTest extends HealthOutageSuite {

  private static @Nullable OwnMosquitto broker;

  @BeforeAll
  static void startMosquitto() throws Exception {
    broker = OwnMosquitto.startPersistent("health");
  }

  @AfterAll
  static void stopMosquitto() {
    if (broker != null) {
      broker.close();
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("health", "mqtt", broker().address())
        .withBindings(new Bindings(Map.of("mqtt", Map.of("sessionExpiryInterval", 600)))));
  }

  @Override
  protected String binding() {
    return "mqtt";
  }

  /** The limitation the fault suite found on this machine's Mosquitto ({@code MqttFaultTest#restartLimitation}). */
  @Override
  protected String outageLimitation() {
    return "Mosquitto does not restore shared subscriptions ($share/<group>/...) of persistent sessions across a "
        + "restart, and the sends held during the outage go out as soon as the publishing client is back, which may be "
        + "before the group's members subscribed again";
  }

  @Override
  protected void stopBroker() {
    broker().stop();
  }

  @Override
  protected void startBroker() {
    broker().restart();
  }

  private static OwnMosquitto broker() {
    return java.util.Objects.requireNonNull(broker, "the broker starts before the tests");
  }
}
