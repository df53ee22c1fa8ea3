package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.omnibus.ConfigurationException;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportSubscription;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The RabbitMQ transport at the SPI level, against the machine's real RabbitMQ. */
class RabbitMqTransportTest {

  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.AMQP);

  private final RabbitMqBroker broker = new RabbitMqBroker();
  private final List<Transport> transports = new ArrayList<>();

  @BeforeEach
  void brokerIsThere() {
    RabbitMqBroker.assumeReachable();
  }

  @AfterEach
  void cleanUp() throws Exception {
    transports.forEach(Transport::close);
    broker.close();
  }

  private Transport open(ServerConfig server) {
    Transport transport = new RabbitMqTransportProvider().open(server);
    transports.add(transport);
    return transport;
  }

  private Transport open() {
    return open(RabbitMqBroker.server("test"));
  }

  static WireMessage event(String id) {
    return CODEC.encode(CloudEventBuilder.v1()
        .withId(id)
        .withSource(URI.create("/tests"))
        .withType("dev.omnibus.test.v1")
        .withDataContentType("application/json")
        .withData(("{\"n\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8))
        .build(), Mode.BINARY);
  }

  static void sent(CompletionStage<Void> stage) {
    stage.toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  private static Destination queueChannel(String address) {
    Map<String, Object> binding = Map.of("is", "queue", "queue", Map.of("name", address, "durable", true,
        "exclusive", false, "autoDelete", false));
    return new Destination(address, address, Mode.BINARY, new Bindings(Map.of("amqp", binding)), Bindings.none(),
        Map.of());
  }

  @Nested
  class PublishAndSubscribe {

    @Test
    void anAnonymousSubscriptionReceivesWhatIsSentAfterSubscribeReturned() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("orders.created");
      Recorder recorder = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

      WireMessage sent = event("e-1");
      sent(transport.send(Destination.of(address), sent));

      Delivery delivery = recorder.awaitCount(1).get(0);
      assertThat(delivery.message().headers()).containsAllEntriesOf(sent.headers());
      assertThat(delivery.message().contentType()).isEqualTo("application/json");
      assertThat(delivery.message().body()).isEqualTo(sent.body());
      assertThat(delivery.attempt()).isEqualTo(1);
    }

    @Test
    void everyAnonymousSubscriptionGetsEveryMessage() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("fanout");
      Recorder first = Recorder.acking();
      Recorder second = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), first);
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), second);

      sent(transport.send(Destination.of(address), event("a")));
      sent(transport.send(Destination.of(address), event("b")));

      assertThat(first.awaitCount(2)).hasSize(2);
      assertThat(second.awaitCount(2)).hasSize(2);
    }

    @Test
    void aStructuredModeMessageTravelsAsItsJsonBodyWithTheEventIdAsMessageId() throws Exception {
      Transport transport = open();
      String address = broker.queue(RabbitMqBroker.unique("structured"));
      broker.declareQueue(address);
      WireMessage structured = CODEC.encode(CloudEventBuilder.v1().withId("s-1").withSource(URI.create("/tests"))
          .withType("t").build(), Mode.STRUCTURED);

      sent(transport.send(queueChannel(address).withMode(Mode.STRUCTURED), structured));

      GetResponse response = broker.get(address);
      assertThat(response.getProps().getContentType()).isEqualTo(EnvelopeCodec.STRUCTURED_CONTENT_TYPE);
      assertThat(response.getProps().getMessageId()).isEqualTo("s-1");
      assertThat(CODEC.decode(new WireMessage(Map.of(), response.getProps().getContentType(), response.getBody(),
          null)).getId()).isEqualTo("s-1");
    }

    @Test
    void manySendsInFlightAtOnceAllCompleteAndArrive() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("pipeline");
      Recorder recorder = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        sends.add(transport.send(Destination.of(address), event("p-" + i)).toCompletableFuture());
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();

      assertThat(recorder.awaitCount(3_000)).hasSize(3_000);
      assertThat(transport.flush(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void oneQueueWithOneConsumerKeepsTheSendOrder() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("ordered");
      Recorder recorder = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

      List<String> ids = new ArrayList<>();
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ids.add("o-" + i);
        sends.add(transport.send(Destination.of(address), event("o-" + i)).toCompletableFuture());
      }
      sends.forEach(CompletableFuture::join);

      recorder.awaitCount(200);
      assertThat(recorder.ids()).containsExactlyElementsOf(ids);
    }
  }

  @Nested
  class ConsumerGroups {

    @Test
    void aGroupConsumesTheDurableQueueAddressDotGroupBoundToTheExchange() throws Exception {
      Transport transport = open();
      String address = RabbitMqBroker.unique("payments.settled");
      String queue = broker.queue(address + ".billing");
      broker.queue(queue + ".dlq");
      Recorder recorder = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group("billing"), recorder);

      assertThat(broker.queueExists(queue)).isTrue();
      assertThat(broker.consumerCount(queue)).isEqualTo(1);
      // A plain publish to the omnibus exchange with the address as routing key lands in the group's queue.
      try (Channel channel = broker.plain().createChannel()) {
        channel.basicPublish("omnibus", address, null, "x".getBytes(StandardCharsets.UTF_8));
      }
      assertThat(recorder.awaitCount(1).get(0).message().body()).isEqualTo("x".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void membersOfOneGroupShareTheMessagesAndTwoGroupsEachGetAll() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("shared");
      broker.queue(address + ".a");
      broker.queue(address + ".a.dlq");
      broker.queue(address + ".b");
      broker.queue(address + ".b.dlq");
      Recorder a1 = Recorder.acking();
      Recorder a2 = Recorder.acking();
      Recorder b = Recorder.acking();
      transport.subscribe(Destination.of(address), new SubscribeOptions("a", 1), a1);
      transport.subscribe(Destination.of(address), new SubscribeOptions("a", 1), a2);
      transport.subscribe(Destination.of(address), SubscribeOptions.group("b"), b);

      for (int i = 0; i < 20; i++) {
        sent(transport.send(Destination.of(address), event("g-" + i)));
      }

      assertThat(b.awaitCount(20)).hasSize(20);
      Awaitility.await().until(() -> a1.deliveries().size() + a2.deliveries().size() == 20);
      List<String> groupA = new ArrayList<>(a1.ids());
      groupA.addAll(a2.ids());
      assertThat(groupA).doesNotHaveDuplicates().hasSize(20);
    }

    @Test
    void aDurableGroupKeepsWhatIsSentWhileNoMemberIsSubscribed() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("durable");
      broker.queue(address + ".audit");
      broker.queue(address + ".audit.dlq");
      transport.subscribe(Destination.of(address), SubscribeOptions.group("audit"), Recorder.acking()).close();

      sent(transport.send(Destination.of(address), event("kept")));

      Recorder later = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group("audit"), later);
      assertThat(later.awaitCount(1)).extracting(d -> d.message().headers().get("cloudEvents_id"))
          .containsExactly("kept");
    }

    @Test
    void theDeadLetterAddressOfAGroupIsItsQueueDotDlqAndKeepsWhatIsSentThere() throws Exception {
      Transport transport = open();
      String address = RabbitMqBroker.unique("dlq");
      broker.queue(address + ".svc");
      String dlq = broker.queue(address + ".svc.dlq");
      transport.subscribe(Destination.of(address), SubscribeOptions.group("svc"), Recorder.acking());

      assertThat(transport.deadLetter(Destination.of(address), "svc").address()).isEqualTo(dlq);
      sent(transport.send(transport.deadLetter(Destination.of(address), "svc"), event("dead")));

      Awaitility.await().until(() -> broker.messageCount(dlq) == 1);
    }

    @Test
    void aClassicGroupsDeadLetterQueueIsDeclaredByItsFirstDeadLetterNotWhenTheGroupSubscribes() throws Exception {
      Transport transport = open();
      String address = RabbitMqBroker.unique("dlq-first");
      broker.queue(address + ".svc");
      String dlq = broker.queue(address + ".svc.dlq");
      transport.subscribe(Destination.of(address), SubscribeOptions.group("svc"), Recorder.acking());

      assertThat(broker.queueExists(dlq)).as("declared by the subscription").isFalse();

      sent(transport.send(transport.deadLetter(Destination.of(address), "svc"), event("dead")));

      Awaitility.await().until(() -> broker.messageCount(dlq) == 1);
    }

    @Test
    void aDeadLetterQueueDeletedSinceItsDeclarationFailsTheNextDeadLetterAndTheOneAfterDeclaresItAgain()
        throws Exception {
      Transport transport = open();
      String address = RabbitMqBroker.unique("dlq-deleted");
      broker.queue(address + ".svc");
      String dlq = broker.queue(address + ".svc.dlq");
      transport.subscribe(Destination.of(address), SubscribeOptions.group("svc"), Recorder.acking());
      Destination deadLetters = transport.deadLetter(Destination.of(address), "svc");
      sent(transport.send(deadLetters, event("first")));
      try (Channel channel = broker.plain().createChannel()) {
        channel.queueDelete(dlq);
      }

      // Not dropped by the exchange for want of a queue: failed, so that the original is not acknowledged.
      assertThatThrownBy(() -> sent(transport.send(deadLetters, event("second"))))
          .hasCauseInstanceOf(PublishException.class);
      sent(transport.send(deadLetters, event("third")));

      Awaitility.await().until(() -> broker.messageCount(dlq) == 1);
      assertThat(broker.get(dlq).getProps().getHeaders().get("cloudEvents_id")).hasToString("third");
    }
  }

  @Nested
  class Wildcards {

    @Test
    void aParameterisedAddressIsBoundWithStarAndMatchesOneSegment() {
      Transport transport = open();
      String prefix = RabbitMqBroker.unique("shipments");
      Recorder recorder = Recorder.acking();
      transport.subscribe(Destination.of(prefix + ".{region}.sent"), SubscribeOptions.group(null), recorder);

      // Sent first: a non-matching address (two segments where one is expected), then two matching ones.
      sent(transport.send(Destination.of(prefix + ".eu.west.sent"), event("no")));
      sent(transport.send(Destination.of(prefix + ".eu.sent"), event("eu")));
      sent(transport.send(Destination.of(prefix + ".us.sent"), event("us")));

      recorder.awaitCount(2);
      assertThat(recorder.ids()).containsExactly("eu", "us");
    }

    @Test
    void aGroupOnAParameterisedAddressUsesTheAddressAsWrittenInItsQueueName() throws Exception {
      Transport transport = open();
      String prefix = RabbitMqBroker.unique("telemetry");
      String queue = broker.queue(prefix + ".{device}.reading.ops");
      broker.queue(queue + ".dlq");
      Recorder recorder = Recorder.acking();
      transport.subscribe(Destination.of(prefix + ".{device}.reading"), SubscribeOptions.group("ops"), recorder);

      sent(transport.send(Destination.of(prefix + ".d42.reading"), event("r")));

      assertThat(recorder.awaitCount(1)).hasSize(1);
      assertThat(broker.queueExists(queue)).isTrue();
    }

    @Test
    void aQueueChannelCannotBeSubscribedWithParameters() {
      Transport transport = open();
      Destination destination = queueChannel(RabbitMqBroker.unique("q") + ".{id}");

      assertThatThrownBy(() -> transport.subscribe(destination, SubscribeOptions.group(null), Recorder.acking()))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("cannot be subscribed with parameters");
    }
  }

  @Nested
  class GroupReplay {

    @Test
    void aReplayToOneGroupOfAParameterisedChannelGoesToThatGroupsQueueAlone() {
      Transport transport = open();
      String prefix = RabbitMqBroker.unique("meters");
      String ops = broker.queue(prefix + ".{device}.reading.ops");
      broker.queue(ops + ".dlq");
      broker.queue(broker.queue(prefix + ".{device}.reading.audit") + ".dlq");
      Destination channel = Destination.of(prefix + ".{device}.reading");
      Recorder opsRecorder = Recorder.acking();
      Recorder auditRecorder = Recorder.acking();
      transport.subscribe(channel, SubscribeOptions.group("ops"), opsRecorder);
      transport.subscribe(channel, SubscribeOptions.group("audit"), auditRecorder);

      Destination onlyOps = transport.groupDestination(channel, "ops").orElseThrow();
      sent(transport.send(onlyOps, event("replayed")));
      sent(transport.send(Destination.of(prefix + ".d1.reading"), event("after")));

      assertThat(onlyOps.address()).isEqualTo(ops);
      assertThat(opsRecorder.awaitCount(2)).hasSize(2);
      assertThat(opsRecorder.ids()).containsExactly("replayed", "after");
      // One queue, first in first out: had the replay reached audit, it would have come before "after".
      assertThat(auditRecorder.awaitCount(1)).hasSize(1);
      assertThat(auditRecorder.ids()).containsExactly("after");
    }

    @Test
    void aReplayToAGroupWithoutAQueueFailsRatherThanVanish() {
      Transport transport = open();
      Destination onlyNobody = transport.groupDestination(Destination.of(RabbitMqBroker.unique("gone")), "nobody")
          .orElseThrow();

      assertThatThrownBy(() -> sent(transport.send(onlyNobody, event("lost"))))
          .hasCauseInstanceOf(PublishException.class);
    }

    @Test
    void aQueueChannelIsItsOwnGroupsDestination() {
      Transport transport = open();
      Destination jobs = queueChannel(RabbitMqBroker.unique("jobs"));

      assertThat(transport.groupDestination(jobs, "workers")).contains(jobs);
      assertThat(transport.capabilities(jobs).supports(Feature.GROUP_REPLAY)).isTrue();
    }
  }

  @Nested
  class Acknowledgement {

    @Test
    void aNackWithRequeueIsDeliveredAgainAsAttemptTwo() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("retry");
      AtomicInteger calls = new AtomicInteger();
      Recorder recorder = Recorder.settling(d -> {
        if (calls.incrementAndGet() == 1) {
          d.nack(true);
        } else {
          d.ack();
        }
      });
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

      sent(transport.send(Destination.of(address), event("again")));

      List<Delivery> deliveries = recorder.awaitCount(2);
      assertThat(deliveries).extracting(Delivery::attempt).containsExactly(1, 2);
      assertThat(recorder.ids()).containsExactly("again", "again");
    }

    @Test
    void aThrowingHandlersDeliveryIsRequeued() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("throws");
      AtomicInteger calls = new AtomicInteger();
      Recorder recorder = Recorder.settling(d -> {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("handler failed on purpose");
        }
        d.ack();
      });
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), recorder);

      sent(transport.send(Destination.of(address), event("boom")));

      assertThat(recorder.awaitCount(2)).extracting(Delivery::attempt).containsExactly(1, 2);
    }

    @Test
    void aNackWithoutRequeueDropsTheMessage() throws Exception {
      Transport transport = open();
      String address = RabbitMqBroker.unique("drop");
      String queue = broker.queue(address + ".g");
      broker.queue(queue + ".dlq");
      Recorder recorder = Recorder.settling(d -> d.nack(false));
      TransportSubscription subscription =
          transport.subscribe(Destination.of(address), SubscribeOptions.group("g"), recorder);

      sent(transport.send(Destination.of(address), event("gone")));
      recorder.awaitCount(1);
      subscription.close();

      assertThat(broker.messageCount(queue)).isZero();
    }

    @Test
    void closingASubscriptionReturnsItsUnacknowledgedMessagesToTheQueue() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("unacked");
      broker.queue(address + ".workers");
      broker.queue(address + ".workers.dlq");
      Recorder holding = Recorder.settling(d -> { });
      TransportSubscription first =
          transport.subscribe(Destination.of(address), SubscribeOptions.group("workers"), holding);
      sent(transport.send(Destination.of(address), event("held")));
      holding.awaitCount(1);

      first.close();
      Recorder next = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group("workers"), next);

      Delivery again = next.awaitCount(1).get(0);
      assertThat(again.message().headers()).containsEntry("cloudEvents_id", "held");
      assertThat(again.attempt()).isEqualTo(2);
    }

    @Test
    void prefetchBoundsTheUnacknowledgedDeliveriesInFlight() throws Exception {
      Transport transport = open();
      String address = RabbitMqBroker.unique("prefetch");
      String queue = broker.queue(address + ".slow");
      broker.queue(queue + ".dlq");
      List<Delivery> held = new java.util.concurrent.CopyOnWriteArrayList<>();
      transport.subscribe(Destination.of(address), new SubscribeOptions("slow", 3), held::add);

      for (int i = 0; i < 10; i++) {
        sent(transport.send(Destination.of(address), event("f-" + i)));
      }

      Awaitility.await().until(() -> held.size() == 3);
      Awaitility.await().until(() ->
          broker.messageCount(queue) == 7);
      held.forEach(Delivery::ack);
      Awaitility.await().until(() -> held.size() == 6);
    }
  }

  @Nested
  class Confirms {

    @Test
    void aSendWithNoQueueBoundSucceedsWhenNotMandatory() {
      Transport transport = open();

      sent(transport.send(Destination.of(RabbitMqBroker.unique("nobody")), event("lost")));
    }

    @Test
    void aMandatorySendNoQueueTakesFailsWithPublishException() {
      Transport transport = open(RabbitMqBroker.server("strict").withOption("mandatory", "true"));
      String address = RabbitMqBroker.unique("unroutable");

      assertThatThrownBy(() -> sent(transport.send(Destination.of(address), event("x"))))
          .isInstanceOf(CompletionException.class)
          .cause().isInstanceOf(PublishException.class)
          .hasMessageContaining("unroutable")
          .hasMessageContaining(address);
    }

    @Test
    void theOperationBindingsMandatoryOverridesTheServerDefault() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("unroutable");
      Destination destination = new Destination(address, address, Mode.BINARY, Bindings.none(),
          new Bindings(Map.of("amqp", Map.of("mandatory", true))), Map.of());

      assertThatThrownBy(() -> sent(transport.send(destination, event("x"))))
          .cause().isInstanceOf(PublishException.class).hasMessageContaining("unroutable");
    }

    @Test
    void aMandatorySendThatIsRoutedCompletes() {
      Transport transport = open(RabbitMqBroker.server("strict").withOption("mandatory", "true"));
      String address = RabbitMqBroker.unique("routed");
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), Recorder.acking());

      sent(transport.send(Destination.of(address), event("ok")));
    }

    @Test
    void aSendToAnExchangeThatDoesNotExistFailsInNoneModeAndTheNextSendWorks() {
      Transport transport = open(RabbitMqBroker.server("none").withOption("declare", "none"));
      String missing = RabbitMqBroker.unique("missing-exchange");
      Map<String, Object> binding = Map.of("is", "routingKey", "exchange", Map.of("name", missing, "type", "topic",
          "durable", true, "autoDelete", false));
      Destination destination = new Destination("c", "k", Mode.BINARY, new Bindings(Map.of("amqp", binding)),
          Bindings.none(), Map.of());

      assertThatThrownBy(() -> sent(transport.send(destination, event("x"))))
          .cause().isInstanceOf(PublishException.class).hasMessageContaining(missing);
      sent(transport.send(Destination.of(RabbitMqBroker.unique("fine")), event("y")));
    }

    @Test
    void aSendAfterCloseFailsWithTransportClosedException() {
      Transport transport = open();
      transport.close();

      assertThatThrownBy(() -> sent(transport.send(Destination.of("x"), event("late"))))
          .cause().isInstanceOf(TransportClosedException.class);
      assertThatThrownBy(() -> transport.subscribe(Destination.of("x"), SubscribeOptions.group(null),
          Recorder.acking())).isInstanceOf(TransportClosedException.class);
      transport.close();
    }
  }

  @Nested
  class PassiveMode {

    @Test
    void aSendToAMissingExchangeFailsNamingIt() throws Exception {
      String exchange = RabbitMqBroker.unique("absent");
      Transport transport = open(RabbitMqBroker.server("locked").withOption("declare", "passive")
          .withOption("exchange", exchange));

      assertThatThrownBy(() -> sent(transport.send(Destination.of("orders"), event("x"))))
          .cause().isInstanceOf(PublishException.class)
          .hasMessageContaining("exchange '" + exchange + "' does not exist")
          .hasMessageContaining("x-omnibus-declare");
      assertThat(broker.exchangeExists(exchange)).isFalse();
    }

    @Test
    void aGroupWhoseQueueIsMissingFailsToSubscribeNamingTheQueue() throws Exception {
      String address = RabbitMqBroker.unique("locked");
      Transport transport = open(RabbitMqBroker.server("locked").withOption("declare", "passive"));

      assertThatThrownBy(() -> transport.subscribe(Destination.of(address), SubscribeOptions.group("g"),
          Recorder.acking()))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("queue '" + address + ".g' does not exist");
      assertThat(broker.queueExists(address + ".g")).isFalse();
    }

    @Test
    void existingTopologyIsUsedWithoutDeclaringAnything() throws Exception {
      String queue = RabbitMqBroker.unique("prepared");
      broker.declareQueue(queue);
      Transport transport = open(RabbitMqBroker.server("locked").withOption("declare", "passive"));
      Recorder recorder = Recorder.acking();
      transport.subscribe(queueChannel(queue), SubscribeOptions.group("any"), recorder);

      sent(transport.send(queueChannel(queue), event("p")));

      assertThat(recorder.awaitCount(1)).hasSize(1);
    }
  }

  @Nested
  class QueueChannels {

    @Test
    void aQueueChannelKeepsWhatIsSentBeforeAnyoneSubscribes() {
      Transport transport = open();
      String queue = broker.queue(RabbitMqBroker.unique("inbox"));

      sent(transport.send(queueChannel(queue), event("early")));
      Recorder recorder = Recorder.acking();
      transport.subscribe(queueChannel(queue), SubscribeOptions.group("x"), recorder);

      assertThat(recorder.awaitCount(1).get(0).message().headers()).containsEntry("cloudEvents_id", "early");
    }

    @Test
    void allSubscribersOfAQueueChannelCompeteWhateverTheirGroup() {
      Transport transport = open();
      String queue = broker.queue(RabbitMqBroker.unique("work"));
      Recorder a = Recorder.acking();
      Recorder b = Recorder.acking();
      transport.subscribe(queueChannel(queue), new SubscribeOptions("a", 1), a);
      transport.subscribe(queueChannel(queue), new SubscribeOptions("b", 1), b);

      for (int i = 0; i < 10; i++) {
        sent(transport.send(queueChannel(queue), event("w-" + i)));
      }

      Awaitility.await().until(() -> a.deliveries().size() + b.deliveries().size() == 10);
      List<String> all = new ArrayList<>(a.ids());
      all.addAll(b.ids());
      assertThat(all).doesNotHaveDuplicates();
    }

    @Test
    void theDeadLetterAddressOfAQueueChannelIsAQueueOfItsOwn() throws Exception {
      Transport transport = open();
      String queue = broker.queue(RabbitMqBroker.unique("jobs"));
      String dlq = broker.queue(queue + ".dlq");

      assertThat(transport.deadLetter(queueChannel(queue), "g").address()).isEqualTo(dlq);
      sent(transport.send(transport.deadLetter(queueChannel(queue), "g"), event("dead")));

      assertThat(broker.messageCount(dlq)).isEqualTo(1);
    }

    @Test
    void theOperationBindingSetsDeliveryModePriorityAndExpiration() throws Exception {
      Transport transport = open();
      String queue = broker.queue(RabbitMqBroker.unique("props"));
      Destination destination = new Destination(queue, queue, Mode.BINARY, queueChannel(queue).channelBindings(),
          new Bindings(Map.of("amqp", Map.of("expiration", 60_000, "priority", 7, "deliveryMode", 1,
              "timestamp", true))), Map.of());

      sent(transport.send(destination, event("p")));

      GetResponse response = broker.get(queue);
      assertThat(response.getProps().getDeliveryMode()).isEqualTo(1);
      assertThat(response.getProps().getPriority()).isEqualTo(7);
      assertThat(response.getProps().getExpiration()).isEqualTo("60000");
      assertThat(response.getProps().getTimestamp()).isNotNull();
    }

    @Test
    void theOperationBindingsCcAlsoRoutesTheEventWithItsHeadersToTheQueueOfThatKey() {
      Transport transport = open();
      String address = RabbitMqBroker.unique("orders");
      String audit = RabbitMqBroker.unique("audit");
      Recorder orders = Recorder.acking();
      Recorder audited = Recorder.acking();
      transport.subscribe(Destination.of(address), SubscribeOptions.group(null), orders);
      transport.subscribe(Destination.of(audit), SubscribeOptions.group(null), audited);
      Destination withCc = new Destination(address, address, Mode.BINARY, Bindings.none(),
          new Bindings(Map.of("amqp", Map.of("cc", List.of(audit)))), Map.of());

      WireMessage sent = event("cc-1");
      sent(transport.send(withCc, sent));

      assertThat(orders.awaitCount(1).get(0).message().headers()).containsAllEntriesOf(sent.headers());
      // Routed there by the CC header alone (an array, which is no CloudEvents attribute and is not read back).
      assertThat(audited.awaitCount(1).get(0).message().headers()).containsAllEntriesOf(sent.headers());
    }
  }
}
