package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The RabbitMQ binding reads its own AsyncAPI AMQP 0-9-1 bindings from the raw objects the document reader hands on:
 * each field checked against its binding version, each problem named by its document path. Fields a binding version
 * does not define (the {@code replyTo} of the AsyncAPI rpc examples and Springwolf) are a warning naming their path,
 * a problem in strict mode.
 */
class AmqpBindingsTest {

  private static final String CHANNEL = "channels.rpc_queue.bindings";
  private static final String OPERATION = "channels.rpc_queue.subscribe.bindings";

  private static final ServerConfig LENIENT = ServerConfig.of("local", "amqp", "localhost");
  private static final ServerConfig STRICT = LENIENT.withOption(ServerConfig.STRICT_BINDINGS, "true");

  private static Destination destination(Map<String, Object> channel, Map<String, Object> operation) {
    return new Destination("rpc_queue", "rpc_queue", Mode.BINARY,
        channel.isEmpty() ? Bindings.none() : new Bindings(Map.of("amqp", channel), CHANNEL),
        operation.isEmpty() ? Bindings.none() : new Bindings(Map.of("amqp", operation), OPERATION), Map.of());
  }

  private static List<Problem> problems(ServerConfig server, Map<String, Object> channel,
      Map<String, Object> operation) {
    return catchThrowableOfType(ConfigurationException.class,
        () -> AmqpBindings.of(server).check(destination(channel, operation))).problems();
  }

  private static String loggedWhile(Runnable action) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(originalErr);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void a_routing_key_channel_names_its_exchange() {
    AmqpChannelBinding routing = AmqpBindings.of(LENIENT).channel(destination(Map.of("is", "routingKey",
        "exchange", Map.of("name", "orders", "type", "topic")), Map.of()));
    assertThat(routing.is()).isEqualTo(AmqpChannelBinding.Is.ROUTING_KEY);
    assertThat(routing.exchange()).isEqualTo(new AmqpChannelBinding.Exchange("orders", "topic", null, null, null));
  }

  @Test
  void a_queue_channel_names_its_queue() {
    AmqpChannelBinding queue = AmqpBindings.of(LENIENT).channel(destination(Map.of("is", "queue",
        "queue", Map.of("name", "work", "durable", true)), Map.of()));
    assertThat(queue.is()).isEqualTo(AmqpChannelBinding.Is.QUEUE);
    assertThat(queue.queue()).isEqualTo(new AmqpChannelBinding.Queue("work", true, null, null, null, null));
  }

  @Test
  void a_queue_channel_with_an_exchange_is_a_problem_from_binding_0_2_0() {
    assertThat(problems(LENIENT, Map.of("is", "queue", "queue", Map.of("name", "q"), "exchange",
        Map.of("name", "x")), Map.of())).extracting(Problem::path).containsExactly(CHANNEL + ".amqp.exchange");
  }

  @Test
  void binding_0_1_0_allowed_a_queue_beside_a_routing_key() {
    AmqpChannelBinding binding = AmqpBindings.of(STRICT).channel(destination(Map.of("is", "routingKey",
        "queue", Map.of("name", "q"), "exchange", Map.of("name", "x"), "bindingVersion", "0.1.0"), Map.of()));
    assertThat(binding.exchange().name()).isEqualTo("x");
  }

  @Test
  void wrong_values_of_the_channel_binding_are_problems_at_their_paths() {
    assertThat(problems(LENIENT, Map.of("is", "topic", "exchange", Map.of("name", "x".repeat(256), "type",
        "fan", "durable", "yes")), Map.of())).extracting(Problem::path).containsExactlyInAnyOrder(
            CHANNEL + ".amqp.is", CHANNEL + ".amqp.exchange.name", CHANNEL + ".amqp.exchange.type",
            CHANNEL + ".amqp.exchange.durable");
  }

  @Test
  void the_operation_binding_gives_the_message_properties() {
    AmqpOperationBinding binding = AmqpBindings.of(LENIENT).operation(destination(Map.of(),
        Map.of("deliveryMode", 2, "priority", 5, "expiration", 1000, "cc", List.of("audit"), "mandatory", true)));
    assertThat(binding.deliveryMode()).isEqualTo(2);
    assertThat(binding.priority()).isEqualTo(5);
    assertThat(binding.expiration()).isEqualTo(1000L);
    assertThat(binding.cc()).containsExactly("audit");
    assertThat(binding.mandatory()).isTrue();
  }

  @Test
  void wrong_values_of_the_operation_binding_are_problems_at_their_paths() {
    assertThat(problems(LENIENT, Map.of(), Map.of("deliveryMode", 3, "expiration", -1, "ack", "yes",
        "cc", List.of("a", 1)))).extracting(Problem::path).containsExactlyInAnyOrder(
            OPERATION + ".amqp.deliveryMode", OPERATION + ".amqp.expiration", OPERATION + ".amqp.ack",
            OPERATION + ".amqp.cc[1]");
  }

  @Test
  void reply_to_is_a_field_up_to_binding_0_2_0_only() {
    assertThat(AmqpBindings.of(STRICT).operation(destination(Map.of(),
        Map.of("replyTo", "replies", "bindingVersion", "0.2.0"))).bindingVersion()).isEqualTo("0.2.0");
    assertThat(problems(STRICT, Map.of(), Map.of("replyTo", "replies"))).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo(OPERATION + ".amqp.replyTo");
      assertThat(problem.message()).contains("is not a field of the AMQP operation binding 0.3.0");
    });
  }

  @Test
  void an_unknown_field_is_a_warning_naming_its_path_by_default() {
    AmqpBindings bindings = AmqpBindings.of(LENIENT);
    Destination destination = destination(Map.of(), Map.of("priority", 5, "replyTo", "replies",
        "bindingVersion", "0.3.0"));
    String log = loggedWhile(() -> bindings.check(destination));
    assertThat(log).contains("WARN", OPERATION + ".amqp.replyTo", "x-omnibus-strict-bindings");
    assertThat(bindings.operation(destination).priority()).isEqualTo(5);
  }

  @Test
  void a_wrong_type_of_a_field_omnibus_uses_is_refused_even_by_default() {
    assertThat(problems(LENIENT, Map.of(), Map.of("priority", "high", "bindingVersion", "0.3.0")))
        .extracting(Problem::path).containsExactly(OPERATION + ".amqp.priority");
  }

  @Test
  void the_server_binding_must_be_empty_in_strict_mode() {
    ServerConfig server = STRICT.withBindings(new Bindings(Map.of("amqp", Map.of("vhost", "/")),
        "servers.local.bindings"));
    assertThat(catchThrowableOfType(ConfigurationException.class, () -> AmqpBindings.of(server)).problems())
        .extracting(Problem::path).containsExactly("servers.local.bindings.amqp.vhost");
  }

  @Test
  void an_unknown_exchange_field_is_refused_in_strict_mode() {
    assertThat(problems(STRICT, Map.of("exchange", Map.of("name", "x", "internal", true)), Map.of()))
        .extracting(Problem::path).containsExactly(CHANNEL + ".amqp.exchange.internal");
  }
}
