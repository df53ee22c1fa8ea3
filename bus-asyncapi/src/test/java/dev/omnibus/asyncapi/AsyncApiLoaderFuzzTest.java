package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.omnibus.ConfigurationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Mutated YAML and JSON documents, from a fixed seed and a bounded number of tries: the loader gives a document or a
 * {@link ConfigurationException}, never another exception, and never hangs. (jqwik 1.10 is built for JUnit Platform
 * 1.x, not the 6.x used here, so this is a seeded {@link Random}.)
 */
class AsyncApiLoaderFuzzTest {

  private static final long SEED = 0x0_5EED_A51CL;
  private static final int TRIES = 3_000;

  private static final String YAML = """
      asyncapi: 3.0.0
      info: {title: Orders, version: '1.0'}
      servers:
        prod:
          host: '{cluster}.example.com:9092'
          protocol: kafka
          variables:
            cluster: {default: eu, enum: [eu, us]}
          bindings: {kafka: {schemaRegistryUrl: 'https://r.example.com'}}
      x-shared:
        id: &id {type: string, format: uuid}
      channels:
        orders:
          address: orders.{region}
          parameters:
            region: {enum: [eu, us], default: eu}
          bindings:
            kafka: {topic: orders, partitions: 3, topicConfiguration: {cleanup.policy: [delete]}}
            amqp: {is: routingKey, exchange: {name: orders, type: topic}}
          messages:
            created:
              name: created
              headers:
                type: object
                properties:
                  ce_type: {const: com.example.created}
              payload:
                type: object
                properties:
                  id: *id
                  total: {type: number, maximum: .inf}
                  state: {type: string, enum: [ON, OFF]}
              bindings: {kafka: {key: {type: string}}, mqtt: {contentType: application/json}}
              correlationId: {$ref: '#/components/correlationIds/byHeader'}
      operations:
        send:
          action: send
          channel: {$ref: '#/channels/orders'}
          messages: [{$ref: '#/channels/orders/messages/created'}]
          bindings: {amqp: {priority: 5, deliveryMode: 2}, mqtt: {qos: 1}}
          reply:
            address: {location: '$message.header#/replyTo'}
            channel: {$ref: '#/channels/orders'}
            messages: [{$ref: '#/channels/orders/messages/created'}]
      components:
        correlationIds:
          byHeader: {location: '$message.header#/correlation_id'}
        schemas:
          order: {type: object, properties: {id: {$ref: '#/components/schemas/id'}}}
          id: {type: string}
      """;

  private static final String JSON = """
      {"asyncapi": "2.6.0", "info": {"title": "Orders", "version": "1"},
       "servers": {"prod": {"url": "amqp://broker:5672/vhost", "protocol": "amqp",
         "security": [{"user": []}]}},
       "channels": {"orders/{id}": {"parameters": {"id": {"schema": {"type": "string", "enum": ["a", "b"]}}},
         "subscribe": {"operationId": "send", "message": {"$ref": "#/components/messages/created"},
           "bindings": {"amqp": {"expiration": 1000, "cc": ["x"]}}, "traits": [{"bindings": {}}]}}},
       "components": {"messages": {"created": {"payload": {"$ref": "#/components/schemas/order"}}},
         "schemas": {"order": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/order"}}}},
         "securitySchemes": {"user": {"type": "userPassword"}}}}
      """;

  private static final String[] TOKENS = {"{", "}", "[", "]", ":", ",", "- ", "\n", "  ", "'", "\"", "&a ", "*a",
      "<<: ", "!!str ", "!!binary ", "? ", "|", ">", "#", "$ref", "'#/components/schemas/order'", "#/", "~", "null",
      ".inf", "-.nan", "0x", "0o7", "1e999", "\t", "%YAML 1.2\n", "---\n", "...\n", "@", "{a}", "\\u0000", "\u00e9",
      "\uD800", "user:pw@", "x-omnibus-strict-bindings: true\n", "bindings", "kafka", "amqp", "mqtt", "reply", "correlationId", "location", "$message.payload#/"};

  @Test
  void mutated_documents_load_or_are_refused_with_a_configuration_exception() {
    Random random = new Random(SEED);
    List<String> escaped = new ArrayList<>();
    Assertions.assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
      for (int i = 0; i < TRIES; i++) {
        String seed = random.nextBoolean() ? YAML : JSON;
        String mutated = mutate(seed, random);
        try {
          AsyncApiDocument document = AsyncApiDocument.parse(mutated, "fuzz-" + i + ".yaml");
          for (String server : document.serverNames()) {
            try {
              document.resolveServer(ServerSelection.documentOnly().withServer(server));
            } catch (ConfigurationException expected) {
              // refused cleanly
            }
          }
        } catch (ConfigurationException expected) {
          assertThat(expected.problems()).isNotEmpty();
        } catch (RuntimeException | StackOverflowError e) {
          escaped.add("try " + i + ": " + e + "\n" + mutated);
        }
      }
    });
    assertThat(escaped).as("documents that escaped as another exception").isEmpty();
  }

  @Test
  void the_seed_documents_load() {
    assertThatCode(() -> AsyncApiDocument.parse(YAML, "seed.yaml")).doesNotThrowAnyException();
    assertThatCode(() -> AsyncApiDocument.parse(JSON, "seed.json")).doesNotThrowAnyException();
  }

  private static String mutate(String text, Random random) {
    StringBuilder out = new StringBuilder(text);
    int edits = 1 + random.nextInt(6);
    for (int e = 0; e < edits && out.length() > 0; e++) {
      int at = random.nextInt(out.length());
      switch (random.nextInt(6)) {
        case 0 -> out.deleteCharAt(at);
        case 1 -> out.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
        case 2 -> out.setCharAt(at, (char) (32 + random.nextInt(95)));
        case 3 -> {
          int end = Math.min(out.length(), at + 1 + random.nextInt(40));
          out.delete(at, end);
        }
        case 4 -> {
          int end = Math.min(out.length(), at + 1 + random.nextInt(60));
          out.insert(random.nextInt(out.length()), out.substring(at, end));
        }
        default -> out.insert(at, String.valueOf((char) random.nextInt(0x3000)));
      }
    }
    return out.toString();
  }
}
