package dev.omnibus.opentelemetry;

/** The tracing on the MQTT binding, against the machine's Mosquitto. */
class MqttTracingTest extends TracingContract {

  @Override
  TestBroker broker() {
    return TestBroker.mqtt();
  }
}
