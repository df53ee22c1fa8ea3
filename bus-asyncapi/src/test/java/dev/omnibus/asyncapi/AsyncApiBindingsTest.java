package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.spi.binding.AmqpChannelBinding;
import dev.omnibus.spi.binding.AmqpOperationBinding;
import dev.omnibus.spi.binding.KafkaChannelBinding;
import dev.omnibus.spi.binding.KafkaOperationBinding;
import dev.omnibus.spi.binding.MqttOperationBinding;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Channel and operation bindings become the typed records of the SPI, checked against their binding version (the
 * problems below are read in strict mode; {@link AsyncApiBindingToleranceTest} covers the default).
 */
class AsyncApiBindingsTest {

  private static AsyncApiDocument withBindings(String channelBindings, String operationBindings) {
    return withBindings("", channelBindings, operationBindings);
  }

  private static AsyncApiDocument withBindings(String top, String channelBindings, String operationBindings) {
    return AsyncApiDocument.parse("""
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        %s
        channels:
          orders:
            address: orders
            bindings: %s
        operations:
          send:
            action: send
            channel: {$ref: '#/channels/orders'}
            bindings: %s
        """.formatted(top, channelBindings, operationBindings), "bindings.yaml");
  }

  /** The problems of a document in strict mode, where a field a binding version does not define is one. */
  private static List<Problem> problems(String channelBindings, String operationBindings) {
    return catchThrowableOfType(ConfigurationException.class,
        () -> withBindings("x-omnibus-strict-bindings: true", channelBindings, operationBindings)).problems();
  }

  @Test
  void kafka_channel_binding_gives_topic_partitions_replicas_and_topic_configuration() {
    KafkaChannelBinding kafka = withBindings("""
        {kafka: {topic: orders-v1, partitions: 6, replicas: 3,
                 topicConfiguration: {cleanup.policy: [delete, compact], retention.ms: 604800000}}}""", "{}")
        .channels().get("orders").bindings().get("kafka", KafkaChannelBinding.class).orElseThrow();
    assertThat(kafka).isEqualTo(new KafkaChannelBinding("orders-v1", 6, 3,
        Map.of("cleanup.policy", "delete,compact", "retention.ms", "604800000"), null));
  }

  @Test
  void kafka_group_and_client_ids_are_taken_from_const_or_a_single_enum() {
    KafkaOperationBinding kafka = withBindings("{}", """
        {kafka: {groupId: {type: string, const: billing}, clientId: {type: string, enum: [billing-1]},
                 bindingVersion: '0.4.0'}}""")
        .operations().get(0).bindings().get("kafka", KafkaOperationBinding.class).orElseThrow();
    assertThat(kafka).isEqualTo(new KafkaOperationBinding("billing", "billing-1", "0.4.0"));
  }

  @Test
  void a_kafka_group_id_schema_with_several_values_is_a_problem() {
    assertThat(problems("{}", "{kafka: {groupId: {type: string, enum: [a, b]}}}")).extracting(Problem::path)
        .containsExactly("operations.send.bindings.kafka.groupId.enum");
  }

  @Test
  void topic_configuration_exists_from_kafka_binding_0_4_0() {
    assertThat(problems("{kafka: {topicConfiguration: {retention.ms: 1}, bindingVersion: '0.3.0'}}", "{}"))
        .extracting(Problem::path).containsExactly("channels.orders.bindings.kafka.topicConfiguration");
  }

  @Test
  void amqp_channel_binding_gives_exchange_or_queue() {
    AmqpChannelBinding routing = withBindings("{amqp: {is: routingKey, exchange: {name: orders, type: topic}}}",
        "{}").channels().get("orders").bindings().get("amqp", AmqpChannelBinding.class).orElseThrow();
    assertThat(routing.is()).isEqualTo(AmqpChannelBinding.Is.ROUTING_KEY);
    assertThat(routing.exchange().name()).isEqualTo("orders");
    AmqpChannelBinding queue = withBindings("{amqp: {is: queue, queue: {name: work, durable: true}}}", "{}")
        .channels().get("orders").bindings().get("amqp", AmqpChannelBinding.class).orElseThrow();
    assertThat(queue.is()).isEqualTo(AmqpChannelBinding.Is.QUEUE);
    assertThat(queue.queue().durable()).isTrue();
  }

  @Test
  void an_amqp_queue_channel_with_an_exchange_is_a_problem_from_binding_0_2_0() {
    assertThat(problems("{amqp: {is: queue, queue: {name: q}, exchange: {name: x}}}", "{}"))
        .extracting(Problem::path).containsExactly("channels.orders.bindings.amqp.exchange");
    assertThat(withBindings("{amqp: {is: routingKey, queue: {name: q}, exchange: {name: x}, bindingVersion: 0.1.0}}",
        "{}").channels()).containsKey("orders");
  }

  @Test
  void amqp_operation_binding_is_typed_and_checked() {
    AmqpOperationBinding amqp = withBindings("{}", "{amqp: {deliveryMode: 2, priority: 5, expiration: 1000,"
        + " cc: [audit], mandatory: true}}").operations().get(0).bindings()
        .get("amqp", AmqpOperationBinding.class).orElseThrow();
    assertThat(amqp.deliveryMode()).isEqualTo(2);
    assertThat(amqp.priority()).isEqualTo(5);
    assertThat(amqp.expiration()).isEqualTo(1000L);
    assertThat(amqp.cc()).containsExactly("audit");
    assertThat(problems("{}", "{amqp: {deliveryMode: 3, expiration: -1, ack: 'yes'}}")).extracting(Problem::path)
        .containsExactlyInAnyOrder("operations.send.bindings.amqp.deliveryMode",
            "operations.send.bindings.amqp.expiration", "operations.send.bindings.amqp.ack");
  }

  @Test
  void amqp_reply_to_is_known_up_to_binding_0_2_0_only() {
    assertThat(withBindings("{}", "{amqp: {replyTo: replies, bindingVersion: 0.2.0}}").operations()).hasSize(1);
    assertThat(problems("{}", "{amqp: {replyTo: replies}}")).extracting(Problem::path)
        .containsExactly("operations.send.bindings.amqp.replyTo");
  }

  @Test
  void mqtt_operation_binding_gives_qos_and_retain() {
    MqttOperationBinding mqtt = withBindings("{}", "{mqtt: {qos: 2, retain: true, messageExpiryInterval: 60}}")
        .operations().get(0).bindings().get("mqtt", MqttOperationBinding.class).orElseThrow();
    assertThat(mqtt).isEqualTo(new MqttOperationBinding(2, true, 60L, null));
    assertThat(problems("{}", "{mqtt: {qos: 3}}")).extracting(Problem::path)
        .containsExactly("operations.send.bindings.mqtt.qos");
  }

  @Test
  void mqtt_5_fields_do_not_exist_in_binding_0_1_0() {
    assertThat(problems("{}", "{mqtt: {messageExpiryInterval: 60, bindingVersion: 0.1.0}}"))
        .extracting(Problem::path).containsExactly("operations.send.bindings.mqtt.messageExpiryInterval");
  }

  @Test
  void in_strict_mode_unknown_fields_and_versions_are_problems_but_x_extensions_are_not() {
    assertThat(problems("{kafka: {topic: t, hello: 1, x-note: fine}}", "{kafka: {bindingVersion: '9.9.9'}}"))
        .extracting(Problem::path).containsExactly("channels.orders.bindings.kafka.hello",
            "operations.send.bindings.kafka.bindingVersion");
  }

  @Test
  void other_protocols_bindings_are_kept_as_plain_values() {
    assertThat(withBindings("{ws: {method: GET}}", "{}").channels().get("orders").bindings().byProtocol())
        .containsEntry("ws", Map.of("method", "GET"));
  }
}
