package dev.omnibus.micrometer;

/** The metrics on the MQTT binding, against the machine's Mosquitto. */
class MqttMetricsTest extends MetricsContract {

  @Override
  TestBroker broker() {
    return TestBroker.mqtt();
  }
}
