package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.AMQP;
import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Subscription;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quorum queues chosen in the AsyncAPI document ({@code x-omnibus-queue-type: quorum} on a channel, or
 * {@code x-queue-type: quorum} in an AMQP binding's queue object), declared on the machine's RabbitMQ: which queues
 * become quorum queues with which arguments, what a redeclaration with other arguments reports, and that a message a
 * consumer never settles ends in the group's dead letter queue after the delivery limit.
 */
class RabbitMqQuorumQueueTest {

  private static final EventType<String> ORDER = EventType.of("dev.omnibus.rabbitmq.test.order", String.class)
      .channel("orders");
  private static final EventType<String> JOB = EventType.of("dev.omnibus.rabbitmq.test.job", String.class)
      .channel("jobs");

  @TempDir
  Path folder;

  private final RabbitMqBroker broker = new RabbitMqBroker();

  @BeforeEach
  void brokerIsThere() {
    RabbitMqBroker.assumeReachable();
  }

  @AfterEach
  void cleanUp() throws Exception {
    broker.close();
  }

  private EventBus.Builder document(String ordersOptions, String jobsQueue) throws IOException {
    return document(ordersOptions, "", jobsQueue);
  }

  private EventBus.Builder document(String ordersOptions, String jobsOptions, String jobsQueue) throws IOException {
    Path file = folder.resolve("asyncapi.yaml");
    Files.writeString(file, """
        asyncapi: 3.0.0
        info: {title: quorum, version: '1'}
        channels:
          orders:
            address: orders
            %s
          jobs:
            address: jobs
            %s
            bindings:
              amqp: {is: queue, queue: %s}
        """.formatted(ordersOptions, jobsOptions, jobsQueue));
    return EventBus.builder().asyncApi(file).server(RabbitMqBroker.server("quorum"));
  }

  private EventBus.Builder ordersAt(String ordersOptions, String address) throws IOException {
    return document(ordersOptions, "{durable: true}").channel("orders", address)
        .channel("jobs", broker.queue(RabbitMqBroker.unique("quorum.jobs")));
  }

  /** The arguments the binding gives a quorum group queue {@code queue} with delivery limit {@code limit}. */
  private static Map<String, Object> groupQueueArguments(String queue, int limit) {
    Map<String, Object> arguments = new HashMap<>();
    arguments.put("x-queue-type", "quorum");
    arguments.put("x-delivery-limit", limit);
    arguments.put("x-dead-letter-exchange", "");
    arguments.put("x-dead-letter-routing-key", queue + ".dlq");
    arguments.put("x-dead-letter-strategy", "at-least-once");
    arguments.put("x-overflow", "reject-publish");
    return arguments;
  }

  /** Whether declaring the queue durable with these arguments is accepted: it exists with equivalent ones. */
  private boolean declaresAs(String queue, Map<String, Object> arguments) throws Exception {
    Channel channel = broker.plain().createChannel();
    try {
      channel.queueDeclare(queue, true, false, false, arguments);
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      if (channel.isOpen()) {
        channel.close();
      }
    }
  }

  @Test
  void aChannelsQueueTypeMakesTheGroupQueueAndItsDeadLetterQueueQuorumQueues() throws Exception {
    String address = RabbitMqBroker.unique("quorum.orders");
    String queue = broker.queue(address + ".billing");
    broker.queue(queue + ".dlq");
    try (EventBus bus = ordersAt("x-omnibus-queue-type: quorum", address).build()) {
      List<String> received = new CopyOnWriteArrayList<>();
      bus.subscribe(ORDER, "billing", event -> received.add(event.data()));

      bus.publish(ORDER, "order 1").toCompletableFuture().get(20, TimeUnit.SECONDS);

      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("order 1"));
    }
    assertThat(declaresAs(queue, groupQueueArguments(queue, 20))).isTrue();
    assertThat(declaresAs(queue, Map.of())).as("a classic declaration of the same queue").isFalse();
    assertThat(declaresAs(queue + ".dlq", Map.of("x-queue-type", "quorum"))).isTrue();
  }

  @Test
  void anAnonymousSubscriptionOfAQuorumChannelStillGetsItsOwnExclusiveQueue() throws Exception {
    String address = RabbitMqBroker.unique("quorum.orders");
    try (EventBus bus = ordersAt("x-omnibus-queue-type: quorum", address).build()) {
      List<String> received = new CopyOnWriteArrayList<>();
      bus.subscribe(ORDER, event -> received.add(event.data()));

      bus.publish(ORDER, "to everyone").toCompletableFuture().get(20, TimeUnit.SECONDS);

      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("to everyone"));
    }
  }

  @Test
  void aQueueObjectsQueueTypeMakesTheQueueChannelAQuorumQueue() throws Exception {
    String queue = broker.queue(RabbitMqBroker.unique("quorum.jobs"));
    broker.queue(queue + ".dlq");
    try (EventBus bus = document("", "{durable: true, x-queue-type: quorum}").channel("jobs", queue)
        .channel("orders", RabbitMqBroker.unique("quorum.orders")).build()) {
      bus.publish(JOB, "job 1").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    assertThat(broker.messageCount(queue)).isEqualTo(1);
    assertThat(declaresAs(queue, groupQueueArguments(queue, 20))).isTrue();
  }

  @Test
  void aSubscriberOfAQuorumQueueChannelGetsItsJobsAndTheQueuesDeadLetterQueueIsDeclared() throws Exception {
    String queue = broker.queue(RabbitMqBroker.unique("quorum.jobs"));
    broker.queue(queue + ".dlq");
    try (EventBus bus = document("", "{durable: true, x-queue-type: quorum}").channel("jobs", queue)
        .channel("orders", RabbitMqBroker.unique("quorum.orders")).build()) {
      List<String> received = new CopyOnWriteArrayList<>();
      bus.subscribe(JOB, "workers", event -> received.add(event.data()));

      bus.publish(JOB, "job 1").toCompletableFuture().get(20, TimeUnit.SECONDS);

      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("job 1"));
    }
    // Reached through the default exchange by name: declared, never bound.
    assertThat(declaresAs(queue + ".dlq", Map.of("x-queue-type", "quorum"))).isTrue();
  }

  @Test
  void aGroupQueueThatExistsAsAClassicQueueIsAConfigurationErrorNamingItAndWhatDiffers() throws Exception {
    String address = RabbitMqBroker.unique("quorum.orders");
    String queue = address + ".billing";
    broker.declareQueue(queue);
    broker.queue(queue + ".dlq");
    try (EventBus bus = ordersAt("x-omnibus-queue-type: quorum", address).build()) {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> bus.subscribe(ORDER, "billing", event -> { }));

      assertThat(e).isNotNull();
      // RabbitMQ names the first argument it finds different: here the dead letter exchange, before the type.
      assertThat(e.getMessage()).contains("queue '" + queue + "'", "is none on the broker", "a quorum queue",
          "delete");
    }
  }

  @Test
  void aDeliveryLimitOtherThanTheQueuesIsAConfigurationErrorToo() throws Exception {
    String address = RabbitMqBroker.unique("quorum.orders");
    String queue = broker.queue(address + ".billing");
    broker.queue(queue + ".dlq");
    try (EventBus bus = ordersAt("x-omnibus-queue-type: quorum", address).build()) {
      bus.subscribe(ORDER, "billing", event -> { }).close();
    }
    try (EventBus bus = ordersAt("x-omnibus-queue-type: quorum\n    x-omnibus-delivery-limit: 5", address).build()) {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> bus.subscribe(ORDER, "billing", event -> { }));

      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("queue '" + queue + "'", "x-delivery-limit");
    }
  }

  @Test
  void aMessageThatNeverGetsSettledEndsInTheDeadLetterQueueAfterTheDeliveryLimit() throws Exception {
    String address = RabbitMqBroker.unique("quorum.orders");
    String queue = broker.queue(address + ".billing");
    String deadLetters = broker.queue(queue + ".dlq");
    try (EventBus bus = ordersAt("x-omnibus-queue-type: quorum\n    x-omnibus-delivery-limit: 2", address).build()) {
      Subscription declaring = bus.subscribe(ORDER, "billing", event -> { });
      declaring.close();
      bus.publish(ORDER, "poison").toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    // A consumer that dies with the message unsettled, again and again: each channel close hands it back.
    for (int crash = 1; crash <= 3 && broker.messageCount(deadLetters) == 0; crash++) {
      Channel channel = broker.plain().createChannel();
      CountDownLatch delivered = new CountDownLatch(1);
      channel.basicConsume(queue, false, new DefaultConsumer(channel) {
        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
          delivered.countDown();
        }
      });
      assertThat(delivered.await(30, TimeUnit.SECONDS)).as("delivery %d", crash).isTrue();
      channel.close();
    }

    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> broker.messageCount(deadLetters) == 1);
    assertThat(broker.messageCount(queue)).isZero();
    assertThat(broker.get(deadLetters).getProps().getHeaders()).containsKey("cloudEvents_id");
  }

  @Test
  void aQuorumQueueThatCouldNotBeDurableOrSharedIsRefusedWhenTheBusIsBuilt() throws IOException {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> document("", "{exclusive: true, x-queue-type: quorum}")
            .channel("jobs", RabbitMqBroker.unique("quorum.jobs"))
            .channel("orders", RabbitMqBroker.unique("quorum.orders")).build().close());

    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(Problem::path).containsExactly("channels.jobs.bindings.amqp.queue");
  }

  @Test
  void fewerDeliveriesThanTheChannelsRetriesAskIsRefusedWhenTheBusIsBuilt() throws IOException {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> ordersAt("x-omnibus-queue-type: quorum\n    x-omnibus-delivery-limit: 3\n"
            + "    x-omnibus-retry-max-attempts: 10", RabbitMqBroker.unique("quorum.orders")).build().close());

    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(Problem::path).containsExactly("channels.orders.x-omnibus-delivery-limit");
    assertThat(e.getMessage()).contains("at least 9");
  }

  @Test
  void aChannelOptionThatContradictsTheBindingsQueueTypeIsRefusedWhenTheBusIsBuilt() throws IOException {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> document("", "x-omnibus-queue-type: quorum", "{durable: true, x-queue-type: classic}")
            .channel("jobs", RabbitMqBroker.unique("quorum.jobs"))
            .channel("orders", RabbitMqBroker.unique("quorum.orders")).build().close());

    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(Problem::path).containsExactly("channels.jobs.x-omnibus-queue-type");
  }

  @Test
  void anUnknownQueueTypeIsRefusedWhenTheBusIsBuilt() throws IOException {
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> ordersAt("x-omnibus-queue-type: stream", RabbitMqBroker.unique("quorum.orders")).build().close());

    assertThat(e).isNotNull();
    assertThat(e.problems()).extracting(Problem::path).containsExactly("channels.orders.x-omnibus-queue-type");
    assertThat(e.getMessage()).contains("classic, quorum");
  }
}
