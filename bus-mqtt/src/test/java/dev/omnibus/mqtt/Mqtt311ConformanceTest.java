package dev.omnibus.mqtt;

import dev.omnibus.EventBus;
import dev.omnibus.tck.TransportConformanceSuite;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance kit on the machine's Mosquitto over MQTT 3.1.1: no properties, so every event travels in
 * structured mode ({@code application/cloudevents+json}) and binary mode is not claimed; the bus encodes structured.
 *
 * <p>Skipped scenarios are those of {@link Mqtt5ConformanceTest}, for the same reasons.
 */
class Mqtt311ConformanceTest extends TransportConformanceSuite {

  @BeforeAll
  static void broker() {
    MqttBroker.assumeReachable();
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(MqttBroker.server("tck311", "3.1.1"));
  }

  /** Mosquitto refuses noncharacters in user properties, as MQTT 5.0 §1.5.4 allows: such inputs cannot arrive. */
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
