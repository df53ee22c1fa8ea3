package dev.omnibus.opentelemetry;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.EventBus;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.Credentials;
import dev.omnibus.tck.Brokers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One binding the tests run on: the AsyncAPI server of its broker (Kafka inside the test JVM, the machine's RabbitMQ
 * and Mosquitto, an in-memory broker), fresh addresses, and the queues to delete afterwards.
 */
abstract class TestBroker {

  /** The {@code messaging.system} its meters and spans carry. */
  abstract String system();

  /** The AsyncAPI server object, as YAML flow. */
  abstract String serverYaml();

  /** Skips the tests (fails them with {@code CI=true}) when the broker is not there. */
  void assumeReachable() {}

  /** Adds what the server needs beyond the document (credentials). */
  EventBus.Builder configure(EventBus.Builder builder) {
    return builder;
  }

  /** Deletes what a group's consumer left on the broker, once its bus is closed. */
  void forget(String address, String group, String deadLetterAddress) {}

  /** An address no other test used. */
  String address(String name) {
    return "omnibus-it." + name + "." + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * A document with this broker as server {@code test} and two channels, {@code orders} (order events, whose payload
   * has a schema) and {@code shipments}, at the given addresses.
   */
  Path document(Path dir, String orders, String shipments) throws IOException {
    return Files.writeString(dir.resolve("asyncapi-" + UUID.randomUUID() + ".yaml"), """
        asyncapi: 3.0.0
        info: {title: observability test, version: '1'}
        servers:
          test: %s
        channels:
          orders:
            address: '%s'
            messages:
              orderPlaced:
                x-omnibus-type: com.example.order.placed
                contentType: application/json
                payload:
                  type: object
                  required: [id, total]
                  properties:
                    id: {type: string}
                    total: {type: integer, minimum: 0}
          shipments:
            address: '%s'
            messages:
              shipmentRequested:
                x-omnibus-type: com.example.shipment.requested
                contentType: application/json
                payload: {type: object}
        operations:
          placeOrders: {action: send, channel: {$ref: '#/channels/orders'}}
          billOrders: {action: receive, channel: {$ref: '#/channels/orders'}}
          requestShipments: {action: send, channel: {$ref: '#/channels/shipments'}}
          shipOrders: {action: receive, channel: {$ref: '#/channels/shipments'}}
        """.formatted(serverYaml(), orders, shipments));
  }

  static TestBroker kafka() {
    return new TestBroker() {
      @Override
      String system() {
        return "kafka";
      }

      @Override
      String serverYaml() {
        return "{host: '" + EmbeddedKafka.shared().bootstrapServers() + "', protocol: kafka}";
      }
    };
  }

  static TestBroker rabbitMq() {
    String host = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
    int port = Integer.parseInt(env("OMNIBUS_RABBITMQ_PORT", "5672"));
    String username = env("OMNIBUS_RABBITMQ_USERNAME", "guest");
    String password = env("OMNIBUS_RABBITMQ_PASSWORD", "guest");
    return new TestBroker() {
      @Override
      String system() {
        return "rabbitmq";
      }

      @Override
      String serverYaml() {
        return "{host: '" + host + ":" + port + "', protocol: amqp}";
      }

      @Override
      void assumeReachable() {
        Brokers.assumeReachable("RabbitMQ", host, port);
      }

      @Override
      EventBus.Builder configure(EventBus.Builder builder) {
        return builder.credentials("test", Credentials.of(username, password));
      }

      @Override
      void forget(String address, String group, String deadLetterAddress) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host);
        factory.setPort(port);
        factory.setUsername(username);
        factory.setPassword(password);
        List<String> queues = new ArrayList<>(List.of(address + "." + group, deadLetterAddress));
        try (Connection connection = factory.newConnection("omnibus-test-cleanup");
            Channel channel = connection.createChannel()) {
          for (String queue : queues) {
            channel.queueDelete(queue);
          }
        } catch (Exception e) {
          throw new IllegalStateException("cannot delete the test queues " + queues, e);
        }
      }
    };
  }

  static TestBroker mqtt() {
    String host = env("MQTT_HOST", "127.0.0.1");
    int port = Integer.parseInt(env("MQTT_PORT", "1883"));
    return new TestBroker() {
      @Override
      String system() {
        return "mqtt";
      }

      @Override
      String serverYaml() {
        // Group sessions of tests expire after ten minutes rather than the binding's day.
        return "{host: '" + host + ":" + port + "', protocol: mqtt, bindings: {mqtt: {sessionExpiryInterval: 600}}}";
      }

      @Override
      void assumeReachable() {
        Brokers.assumeReachable("Mosquitto", host, port);
      }

      @Override
      String address(String name) {
        return "omnibus-it/" + name + "/" + UUID.randomUUID().toString().substring(0, 8);
      }
    };
  }

  static TestBroker memory() {
    return memory(InMemoryBroker.create());
  }

  static TestBroker memory(InMemoryBroker broker) {
    return new TestBroker() {
      @Override
      String system() {
        return "memory";
      }

      @Override
      String serverYaml() {
        return "{host: " + broker.name() + ", protocol: memory}";
      }
    };
  }

  private static String env(String name, String defaultValue) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
