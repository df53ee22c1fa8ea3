package dev.omnibus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

/**
 * The tracing on the MQTT binding, against the machine's Mosquitto; and, with a plain paho client, that a foreign
 * subscriber reads the context from the {@code traceparent} user property.
 */
class MqttTracingTest extends TracingContract {

  @Override
  TestBroker broker() {
    return TestBroker.mqtt();
  }

  @Test
  void aForeignMqttSubscriberReadsTheContextFromTheTraceparentUserProperty() throws Exception {
    String host = System.getenv().getOrDefault("MQTT_HOST", "127.0.0.1");
    String port = System.getenv().getOrDefault("MQTT_PORT", "1883");
    List<MqttMessage> received = new CopyOnWriteArrayList<>();
    MqttClient foreign = new MqttClient("tcp://" + host + ":" + port, "omnibus-test-foreign-" + UUID.randomUUID(),
        new MemoryPersistence());
    try {
      foreign.setCallback(new MqttCallback() {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
          received.add(message);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {}

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
      });
      foreign.connect();
      foreign.subscribe(orders, 1);
      join(traced().publish(PLACED, new Order("o-1", 10)));
      String expected = traceparent(awaitSpan(named("send orders")));
      Awaitility.await().atMost(WAIT).until(() -> !received.isEmpty());
      assertThat(received.get(0).getProperties().getUserProperties())
          .contains(new UserProperty(OmnibusTracing.TRACEPARENT, expected));
    } finally {
      foreign.disconnect();
      foreign.close();
    }
  }
}
