package dev.omnibus.outbox;

import dev.omnibus.EventBus;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The outbox scenarios on the machine's Mosquitto (127.0.0.1:1883, or {@code OMNIBUS_MQTT_HOST/PORT}). */
class MqttOutboxScenariosTest extends OutboxScenarios {

  private static final String HOST = env("OMNIBUS_MQTT_HOST", "127.0.0.1");
  private static final int PORT = Integer.parseInt(env("OMNIBUS_MQTT_PORT", "1883"));

  @BeforeAll
  static void brokerIsThere() {
    Brokers.assumeReachable("Mosquitto", HOST, PORT);
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("outbox", "mqtt", HOST + ":" + PORT));
  }

  @Test
  void aRelayProcessKilledMidFlushLosesNothing() throws Exception {
    relayProcessKilledMidFlush("mqtt", HOST + ":" + PORT);
  }

  @Override
  protected String binding() {
    return "mqtt";
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
