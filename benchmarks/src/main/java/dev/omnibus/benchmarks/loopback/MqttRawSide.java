package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Plain paho mqttv5 at QoS 1: a publishing client that keeps at most the broker's Receive Maximum (20 on stock
 * Mosquitto) messages unacknowledged, and a subscribing client (clean start, plain subscription, manual acks after
 * handling, Receive Maximum 65,535 as the bus asks). Seven user properties named as the attributes plus the Content
 * Type property, as the bus's binary mode writes them.
 */
final class MqttRawSide implements Side {

  private static final int MQTT_MAX_RECEIVE = 65_535;

  private final MqttAsyncClient publisher;
  private final MqttAsyncClient subscriber;
  private final String topic;
  private final Semaphore inFlight;

  MqttRawSide(String uri, String topic, String clientIdPrefix, Receiver receiver) throws MqttException {
    this.topic = topic;
    publisher = new MqttAsyncClient(uri, clientIdPrefix + "-pub", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    IMqttToken connected = publisher.connect(options);
    connected.waitForCompletion(10_000);
    MqttProperties connack = connected.getResponseProperties();
    Integer receiveMaximum = connack == null ? null : connack.getReceiveMaximum();
    inFlight = new Semaphore(receiveMaximum == null || receiveMaximum <= 0 ? MQTT_MAX_RECEIVE : receiveMaximum);

    subscriber = new MqttAsyncClient(uri, clientIdPrefix + "-sub", new MemoryPersistence());
    subscriber.setManualAcks(true);
    subscriber.setCallback(new MqttCallback() {
      @Override
      public void messageArrived(String arrivedOn, MqttMessage message) throws Exception {
        MqttProperties properties = message.getProperties();
        List<UserProperty> user = properties == null ? List.of() : properties.getUserProperties();
        for (UserProperty property : user) {
          if (property.getKey().equals("type")) {
            if (property.getValue().equals(Orders.TYPE)) {
              receiver.received(Orders.read(message.getPayload()));
            }
            break;
          }
        }
        subscriber.messageArrivedComplete(message.getId(), message.getQos());
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
    MqttConnectionOptions subscriberOptions = new MqttConnectionOptions();
    subscriberOptions.setCleanStart(true);
    subscriberOptions.setReceiveMaximum(MQTT_MAX_RECEIVE);
    subscriber.connect(subscriberOptions).waitForCompletion(10_000);
    subscriber.subscribe(new MqttSubscription(topic, 1)).waitForCompletion(10_000);
  }

  @Override
  public String label() {
    return "raw paho mqttv5";
  }

  @Override
  public void send(Order order, Confirmation confirmation) throws InterruptedException {
    RawHeaders ce = RawHeaders.of(order);
    MqttProperties properties = new MqttProperties();
    properties.setContentType(Orders.CONTENT_TYPE);
    properties.setUserProperties(List.of(
        new UserProperty("id", ce.id()),
        new UserProperty("source", ce.source()),
        new UserProperty("type", ce.type()),
        new UserProperty("specversion", ce.specVersion()),
        new UserProperty("time", ce.time()),
        new UserProperty("subject", ce.subject()),
        new UserProperty("traceparent", ce.traceparent())));
    MqttMessage message = new MqttMessage(Orders.json(order), 1, false, properties);
    inFlight.acquire();
    try {
      publisher.publish(topic, message, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          inFlight.release();
          confirmation.confirmed();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
          inFlight.release();
          confirmation.failed(failure);
        }
      });
    } catch (MqttException | RuntimeException e) {
      inFlight.release();
      confirmation.failed(e);
    }
  }

  @Override
  public void close() {
    for (MqttAsyncClient client : List.of(subscriber, publisher)) {
      try {
        client.disconnect().waitForCompletion(5_000);
      } catch (MqttException e) {
        // closing anyway
      }
      try {
        client.close();
      } catch (MqttException e) {
        // closing anyway
      }
    }
  }
}
