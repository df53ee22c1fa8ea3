package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.GetResponse;
import dev.omnibus.ConfigurationException;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.TransportCapabilities.Feature;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A bus built from an AsyncAPI document's amqp server, channel and operation bindings, on the real broker. */
class RabbitMqAsyncApiTest {

  private static final EventType<String> JOB = EventType.of("dev.omnibus.rabbitmq.test.job", String.class)
      .channel("jobs");
  private static final EventType<String> NOTICE = EventType.of("dev.omnibus.rabbitmq.test.notice", String.class)
      .channel("notices");

  private final RabbitMqBroker broker = new RabbitMqBroker();

  @BeforeEach
  void brokerIsThere() {
    RabbitMqBroker.assumeReachable();
  }

  @AfterEach
  void cleanUp() throws Exception {
    broker.close();
  }

  private EventBus.Builder document(Map<String, String> environment) {
    return EventBus.builder()
        .asyncApi("rabbitmq-asyncapi.yaml")
        .server("rabbitmq")
        .variable("host", RabbitMqBroker.HOST)
        .variable("port", Integer.toString(RabbitMqBroker.PORT))
        .environment(environment::get);
  }

  private EventBus.Builder withCredentials() {
    return document(Map.of("OMNIBUS_RABBITMQ_USERNAME", RabbitMqBroker.USERNAME,
        "OMNIBUS_RABBITMQ_PASSWORD", RabbitMqBroker.PASSWORD));
  }

  @Test
  void aUserPasswordSchemeWithoutCredentialsIsRefusedNamingTheEnvironmentVariables() {
    assertThatThrownBy(() -> document(Map.of()).channel("jobs", "unused").channel("notices", "unused").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("OMNIBUS_RABBITMQ_USERNAME");
  }

  @Test
  void aQueueChannelsOperationBindingShapesTheMessageAndTheQueueKeepsItForLater() throws Exception {
    String queue = broker.queue(RabbitMqBroker.unique("asyncapi.jobs"));
    try (EventBus bus = withCredentials().channel("jobs", queue)
        .channel("notices", RabbitMqBroker.unique("asyncapi.notices")).build()) {
      bus.publish(JOB, "resize image 7").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    GetResponse response = broker.get(queue);
    assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("resize image 7");
    assertThat(response.getProps().getDeliveryMode()).isEqualTo(1);
    assertThat(response.getProps().getPriority()).isEqualTo(3);
    assertThat(response.getProps().getExpiration()).isEqualTo("60000");
    assertThat(response.getProps().getHeaders()).containsKey("cloudEvents_id");
  }

  @Test
  void aChannelWithoutBindingGoesToTheServersExchangeAndReachesAGroup() throws Exception {
    String address = RabbitMqBroker.unique("asyncapi.notices");
    broker.exchange("omnibus.asyncapi.test");
    broker.queue(address + ".readers");
    broker.queue(address + ".readers.dlq");
    try (EventBus bus = withCredentials().channel("notices", address)
        .channel("jobs", broker.queue(RabbitMqBroker.unique("asyncapi.jobs"))).build()) {
      java.util.List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
      bus.subscribe(NOTICE, "readers", event -> received.add(event.data()));

      bus.publish(NOTICE, "maintenance at noon").toCompletableFuture().get(20, TimeUnit.SECONDS);

      org.awaitility.Awaitility.await().until(() -> received.contains("maintenance at noon"));
      assertThat(broker.exchangeExists("omnibus.asyncapi.test")).isTrue();
      assertThat(broker.queueExists(address + ".readers")).isTrue();
    }
  }

  @Test
  void aQueueChannelLacksGroupsAndFanOutWhileAnExchangeChannelHasThem() {
    try (EventBus bus = withCredentials().channel("jobs", RabbitMqBroker.unique("asyncapi.jobs"))
        .channel("notices", RabbitMqBroker.unique("asyncapi.notices")).build()) {
      assertThat(bus.capabilities("jobs").features())
          .doesNotContain(Feature.CONSUMER_GROUPS, Feature.ANONYMOUS_FAN_OUT, Feature.WILDCARD_SUBSCRIPTIONS)
          .contains(Feature.RETAINS_UNCONSUMED, Feature.GROUP_REPLAY);
      assertThat(bus.capabilities("notices").features())
          .contains(Feature.CONSUMER_GROUPS, Feature.ANONYMOUS_FAN_OUT, Feature.WILDCARD_SUBSCRIPTIONS,
              Feature.GROUP_REPLAY);
    }
  }

  @Test
  void aTypeRequiringFanOutCannotSubscribeToAQueueChannel() {
    try (EventBus bus = withCredentials().channel("jobs", RabbitMqBroker.unique("asyncapi.jobs"))
        .channel("notices", RabbitMqBroker.unique("asyncapi.notices")).build()) {
      EventType<String> broadcast = JOB.requires(Feature.ANONYMOUS_FAN_OUT);

      assertThatThrownBy(() -> bus.subscribe(broadcast, event -> { }))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("requires [ANONYMOUS_FAN_OUT] on channel 'jobs'");
    }
  }
}
