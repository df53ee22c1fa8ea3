package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Command;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Method;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.TrafficListener;
import dev.omnibus.ConfigurationException;
import dev.omnibus.PublishException;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.rabbitmq.RabbitMqBroker;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.TransportSubscription;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What opening a subscription costs in round trips, and that the declarations it pipelines still fail as they did one
 * by one, on the machine's real RabbitMQ. Round trips are counted as the methods the subscribing thread sends and
 * waits for, never timed.
 */
class RabbitMqSubscribeTest {

  private final List<RabbitMqTransport> transports = new ArrayList<>();
  private final List<String> queues = new ArrayList<>();
  private final List<String> exchanges = new ArrayList<>();
  private final List<String> written = new CopyOnWriteArrayList<>();
  private Connection plain;

  @BeforeEach
  void brokerIsThere() throws IOException, TimeoutException {
    RabbitMqBroker.assumeReachable();
    ConnectionFactory factory = new ConnectionFactory();
    ServerConfig server = RabbitMqBroker.server("plain");
    factory.setHost(server.hostName());
    factory.setPort(server.port().orElse(5672));
    factory.setUsername(server.credentials().username());
    factory.setPassword(server.credentials().password());
    plain = factory.newConnection("omnibus-test-subscribe");
  }

  @AfterEach
  void cleanUp() throws IOException, TimeoutException {
    transports.forEach(RabbitMqTransport::close);
    if (plain == null) {
      return;
    }
    try (Channel channel = plain.createChannel()) {
      for (String queue : queues) {
        channel.queueDelete(queue);
      }
      for (String exchange : exchanges) {
        channel.exchangeDelete(exchange);
      }
    }
    plain.close();
  }

  private RabbitMqTransport open(ServerConfig server) {
    Thread caller = Thread.currentThread();
    RabbitMqTransport transport = RabbitMqTransport.open(server, new TrafficListener() {
      @Override
      public void write(Command outbound) {
        // What the subscribing thread itself sends; the spare channel is opened ahead on a worker.
        if (Thread.currentThread() == caller) {
          Method method = outbound.getMethod();
          boolean nowait = method instanceof AMQP.Exchange.Declare exchange && exchange.getNowait()
              || method instanceof AMQP.Queue.Declare queue && queue.getNowait()
              || method instanceof AMQP.Queue.Bind bind && bind.getNowait();
          written.add(method.protocolMethodName() + (nowait ? " (nowait)" : ""));
        }
      }

      @Override
      public void read(Command inbound) {
      }
    });
    transports.add(transport);
    return transport;
  }

  /**
   * What the calling thread sent while the action ran: amqp-client waits for the answer of every method but those
   * sent nowait.
   */
  private List<String> sentBy(Runnable action) {
    written.clear();
    action.run();
    return List.copyOf(written);
  }

  /**
   * Whether a queue exists, asked from another connection: an exclusive queue refuses it (RESOURCE_LOCKED) while it
   * exists, a missing one answers NOT_FOUND.
   */
  private boolean queueExists(String name) throws IOException, TimeoutException {
    try (Channel channel = plain.createChannel()) {
      channel.queueDeclarePassive(name);
      return true;
    } catch (IOException e) {
      if (e.getCause() instanceof ShutdownSignalException signal
          && signal.getReason() instanceof AMQP.Channel.Close close) {
        assertThat(close.getReplyCode()).as(close.getReplyText()).isIn(AMQP.RESOURCE_LOCKED, AMQP.NOT_FOUND);
        return close.getReplyCode() == AMQP.RESOURCE_LOCKED;
      }
      throw e;
    }
  }

  @Test
  void everyAnonymousSubscriptionTheFirstIncludedWaitsOnlyForItsPrefetchAndItsConsumer() {
    RabbitMqTransport transport = open(RabbitMqBroker.server("rtt"));

    for (int i = 0; i < 3; i++) {
      Destination destination = Destination.of(RabbitMqBroker.unique("rtt"));
      List<String> sent = sentBy(() -> transport.subscribe(destination, SubscribeOptions.group(null),
          delivery -> delivery.ack()));

      // No connection or channel opened here; the declarations confirmed by basic.qos's answer, then the consumer.
      assertThat(sent).as("subscription %d", i + 1).containsExactly("exchange.declare (nowait)",
          "queue.declare (nowait)", "queue.bind (nowait)", "basic.qos", "basic.consume");
    }
  }

  @Test
  void aGroupSubscriptionWaitsOnlyForItsPrefetchAndItsConsumerToo() {
    RabbitMqTransport transport = open(RabbitMqBroker.server("rtt"));
    String address = RabbitMqBroker.unique("rtt-group");
    queues.add(address + ".g");
    queues.add(address + ".g.dlq");

    List<String> sent = sentBy(() -> transport.subscribe(Destination.of(address), SubscribeOptions.group("g"),
        delivery -> delivery.ack()));

    // Its dead letter queue is declared by its first dead letter, not here.
    assertThat(sent).containsExactly("exchange.declare (nowait)", "queue.declare (nowait)", "queue.bind (nowait)",
        "basic.qos", "basic.consume");
  }

  @Test
  void anAnonymousQueueIsNamedByTheBusAndGoneOnceTheSubscriptionCloses() throws Exception {
    RabbitMqTransport transport = open(RabbitMqBroker.server("anonymous"));
    TransportSubscription subscription = transport.subscribe(Destination.of(RabbitMqBroker.unique("anonymous")),
        SubscribeOptions.group(null), delivery -> delivery.ack());
    String queue = ((RabbitMqSubscription) subscription).queue();
    assertThat(queue).startsWith(Declarer.ANONYMOUS_QUEUE_PREFIX);
    assertThat(queueExists(queue)).isTrue();

    subscription.close();

    // RabbitMQ answers the cancel of an auto-delete queue's last consumer, then deletes the queue.
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !queueExists(queue));
  }

  @Test
  void anExchangeOfAnotherTypeFailsTheSubscriptionNamingTheExchange() throws Exception {
    String exchange = RabbitMqBroker.unique("fanout");
    exchanges.add(exchange);
    try (Channel channel = plain.createChannel()) {
      channel.exchangeDeclare(exchange, "fanout", true, false, null);
    }
    RabbitMqTransport transport = open(RabbitMqBroker.server("typed").withOption("exchange", exchange));

    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> transport.subscribe(
        Destination.of(RabbitMqBroker.unique("typed")), SubscribeOptions.group(null), delivery -> delivery.ack()));

    assertThat(e.getMessage()).contains("exchange '" + exchange + "' exists in virtual host '/' with other settings")
        .contains("inequivalent arg 'type'");
  }

  @Test
  void aGroupWhoseDeadLetterQueueDiffersFailsItsFirstDeadLetterNamingTheDeadLetterQueueNotTheGroupsQueue()
      throws Exception {
    String address = RabbitMqBroker.unique("dlq-differs");
    queues.add(address + ".g");
    queues.add(address + ".g.dlq");
    try (Channel channel = plain.createChannel()) {
      // The bus declares a classic dead letter queue; this one is a quorum queue.
      channel.queueDeclare(address + ".g.dlq", true, false, false, Map.of("x-queue-type", "quorum"));
    }
    RabbitMqTransport transport = open(RabbitMqBroker.server("dlq"));
    transport.subscribe(Destination.of(address), SubscribeOptions.group("g"), delivery -> delivery.ack());
    WireMessage deadLetter = new WireMessage(Map.of("ce_specversion", "1.0", "ce_id", "d-1", "ce_source", "/tests",
        "ce_type", "t"), null, new byte[0], null);

    CompletionException e = catchThrowableOfType(CompletionException.class, () -> transport.send(
        transport.deadLetter(Destination.of(address), "g"), deadLetter).toCompletableFuture().join());

    assertThat(e.getCause()).isInstanceOf(PublishException.class);
    assertThat(e.getCause().getMessage())
        .contains("queue '" + address + ".g.dlq' exists in virtual host '/' with other settings")
        .contains("x-queue-type is");
  }

  @Test
  void aPassiveSubscriptionWhoseExchangeIsMissingFailsNamingTheExchange() {
    String exchange = RabbitMqBroker.unique("absent");
    RabbitMqTransport transport = open(RabbitMqBroker.server("passive").withOption("declare", "passive")
        .withOption("exchange", exchange));

    ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> transport.subscribe(
        Destination.of(RabbitMqBroker.unique("passive")), SubscribeOptions.group(null), delivery -> delivery.ack()));

    assertThat(e.getMessage()).contains("exchange '" + exchange + "' does not exist");
  }
}
