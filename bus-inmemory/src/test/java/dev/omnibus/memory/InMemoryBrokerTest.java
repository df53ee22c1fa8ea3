package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The test double users assert against, and the dead letters it shows. */
class InMemoryBrokerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> GREETING = EventType.of("com.example.greeting", String.class).channel("c");

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final EventBus bus = EventBus.builder().server(broker.server()).maxAttempts(2).build();

  @AfterEach
  void close() {
    bus.close();
  }

  @Test
  void publishedEventsCanBeInspectedAsCloudEvents() {
    bus.publish(GREETING, "hello").toCompletableFuture().join();

    List<CloudEvent> published = broker.published("c");
    assertThat(published).extracting(CloudEvent::getType).containsExactly("com.example.greeting");
    assertThat(new String(published.get(0).getData().toBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
    assertThat(broker.publishedMessages("c").get(0).headers()).containsEntry("type", "com.example.greeting");
  }

  @Test
  void anInjectedEventReachesTheHandlerAsIfAnotherServicePublishedIt() {
    List<Event<String>> received = new CopyOnWriteArrayList<>();
    bus.subscribe(GREETING, "g", received::add);

    broker.inject("c", CloudEventBuilder.v1().withId("x-1").withSource(URI.create("/other"))
        .withType("com.example.greeting").withDataContentType("text/plain").withData("hi".getBytes()).build());

    broker.awaitDelivered("c", 1, WAIT);
    assertThat(received).extracting(Event::id).containsExactly("x-1");
    assertThat(received.get(0).data()).isEqualTo("hi");
  }

  @Test
  void aMessageThatIsNoCloudEventGoesToDeadLettersWithItsReasonAndConsumptionGoesOn() {
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.subscribe(GREETING, "g", event -> handled.add(event.data()));

    broker.inject("c", new WireMessage(Map.of("colour", "blue"), "text/plain", "garbage".getBytes(), null));
    bus.publish(GREETING, "after").toCompletableFuture().join();

    List<CloudEvent> deadLetters = broker.awaitPublished("c.dlq", 1, WAIT);
    Awaitility.await().atMost(WAIT).until(() -> handled.contains("after"));
    CloudEvent deadLetter = deadLetters.get(0);
    assertThat(deadLetter.getType()).isEqualTo("dev.omnibus.deadletter.malformed");
    assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("malformed:").contains("specversion");
    assertThat(deadLetter.getExtension("dlqchannel")).hasToString("c");
    assertThat(deadLetter.getExtension("dlqheaders")).asString().contains("colour");
    assertThat(deadLetter.getData().toBytes()).isEqualTo("garbage".getBytes());
  }

  @Test
  void anEventFailingEveryAttemptIsDeadLetteredWithWhyAndCanBeReplayed() {
    AtomicInteger attempts = new AtomicInteger();
    List<Event<String>> handled = new CopyOnWriteArrayList<>();
    bus.subscribe(GREETING, "g", event -> {
      if (attempts.incrementAndGet() <= 2) {
        throw new IllegalArgumentException("cannot greet\nnow");
      }
      handled.add(event);
    });
    Event<String> event = GREETING.event("hello").build();
    bus.publish(event).toCompletableFuture().join();

    CloudEvent deadLetter = broker.awaitPublished("c.dlq", 1, WAIT).get(0);
    assertThat(deadLetter.getId()).isEqualTo(event.id());
    assertThat(deadLetter.getExtension("dlqreason")).hasToString("handler failed 2 times");
    assertThat(deadLetter.getExtension("dlqattempts")).hasToString("2");
    assertThat(deadLetter.getExtension("dlqgroup")).hasToString("g");
    assertThat(deadLetter.getExtension("dlqerror")).asString()
        .isEqualTo("java.lang.IllegalArgumentException: cannot greet now");
    assertThat(handled).isEmpty();

    bus.replay(deadLetter).toCompletableFuture().join();

    Awaitility.await().atMost(WAIT).until(() -> !handled.isEmpty());
    Event<String> replayed = handled.get(0);
    assertThat(replayed.id()).isEqualTo(event.id());
    assertThat(replayed.data()).isEqualTo("hello");
    assertThat(replayed.extensions().keySet()).noneMatch(name -> name.startsWith("dlq"));
  }

  @Test
  void aReplayedDeadLetterOfAGroupGoesToThatGroupsQueueAloneNotToTheAddress() {
    List<String> other = new CopyOnWriteArrayList<>();
    bus.subscribe(GREETING, "other", event -> other.add(event.id()));
    AtomicInteger attempts = new AtomicInteger();
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.subscribe(GREETING, "g", event -> {
      if (attempts.incrementAndGet() <= 2) {
        throw new IllegalStateException("not yet");
      }
      handled.add(event.id());
    });
    Event<String> event = GREETING.event("hello").subject("k").build();
    bus.publish(event).toCompletableFuture().join();
    CloudEvent deadLetter = broker.awaitPublished("c.dlq", 1, WAIT).get(0);

    bus.replay(deadLetter).toCompletableFuture().join();

    Awaitility.await().atMost(WAIT).until(() -> handled.contains(event.id()));
    assertThat(broker.published("c")).extracting(CloudEvent::getId).containsExactly(event.id());
    // Same key, so after anything replayed to the other group: it got the event once.
    Event<String> after = GREETING.event("after").subject("k").build();
    bus.publish(after).toCompletableFuture().join();
    Awaitility.await().atMost(WAIT).until(() -> other.contains(after.id()));
    assertThat(other).containsExactly(event.id(), after.id());
  }

  @Test
  void aReplayedDeadLetterOfAnAnonymousSubscriptionReachesTheWholeChannel() {
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    bus.subscribe(GREETING, event -> {
      if (attempts.incrementAndGet() <= 2) {
        throw new IllegalStateException("not yet");
      }
      first.add(event.id());
    });
    bus.subscribe(GREETING, event -> second.add(event.id()));
    Event<String> event = GREETING.event("hello").build();
    bus.publish(event).toCompletableFuture().join();
    CloudEvent deadLetter = broker.awaitPublished("c.dlq", 1, WAIT).get(0);
    assertThat(deadLetter.getExtension("dlqgroup")).isNull();

    bus.replay(deadLetter).toCompletableFuture().join();

    Awaitility.await().atMost(WAIT).until(() -> first.contains(event.id()) && second.size() == 2);
    assertThat(second).containsExactly(event.id(), event.id());
  }

  @Test
  void aReplayToAGroupThatNeverSubscribedFailsAndSendsNothing() {
    bus.subscribe(GREETING, "g", event -> {
      throw new IllegalStateException("never");
    });
    bus.publish(GREETING, "hello").toCompletableFuture().join();
    CloudEvent deadLetter = broker.awaitPublished("c.dlq", 1, WAIT).get(0);
    CloudEvent ofAnotherGroup = CloudEventBuilder.v1(deadLetter).withExtension("dlqgroup", "nobody").build();

    assertThatThrownBy(() -> bus.replay(ofAnotherGroup).toCompletableFuture().join())
        .hasCauseInstanceOf(dev.omnibus.PublishException.class)
        .hasMessageContaining("group 'nobody' has no queue on 'c'");
  }

  @Test
  void deadLettersCanBeSubscribedToLikeAnyChannel() {
    EventBus reader = EventBus.builder().server(broker.server()).channel("dead", "c.dlq").build();
    try {
      List<CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      reader.subscribe("dead", "ops", deadLetters::add);
      broker.inject("c", new WireMessage(Map.of(), null, "junk".getBytes(), null));
      bus.subscribe(GREETING, "g", event -> { });

      Awaitility.await().atMost(WAIT).until(() -> deadLetters.size() == 1);
      assertThat(deadLetters.get(0).getType()).isEqualTo("dev.omnibus.deadletter.malformed");
    } finally {
      reader.close();
    }
  }

  @Test
  void aMalformedMessageClaimingStructuredModeIsDeadLetteredAsAnEventReadersCanDecode() {
    EventBus reader = EventBus.builder().server(broker.server()).channel("dead", "c.dlq").build();
    try {
      List<CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      reader.subscribe("dead", "ops", deadLetters::add);
      bus.subscribe(GREETING, "g", event -> { });
      broker.inject("c", new WireMessage(Map.of(), "application/cloudevents+json", "{not json".getBytes(), null));

      Awaitility.await().atMost(WAIT).until(() -> deadLetters.size() == 1);
      CloudEvent deadLetter = deadLetters.get(0);
      assertThat(deadLetter.getType()).isEqualTo("dev.omnibus.deadletter.malformed");
      assertThat(deadLetter.getDataContentType()).isEqualTo("application/octet-stream");
      assertThat(deadLetter.getExtension("dlqheaders")).asString().contains("application/cloudevents+json");
      assertThat(deadLetter.getData().toBytes()).isEqualTo("{not json".getBytes());
    } finally {
      reader.close();
    }
  }

  @Test
  void clearForgetsWhatWasPublished() {
    bus.publish(GREETING, "hello").toCompletableFuture().join();
    broker.clear();
    assertThat(broker.published("c")).isEmpty();
    assertThat(broker.deliveredCount("c")).isZero();
  }

  @Test
  void waitingForDeliveriesThatNeverCameFailsWithHowManyCame() {
    assertThatThrownBy(() -> broker.awaitDelivered("c", 1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("got 0");
  }

  @Test
  void waitingForMorePublishedEventsThanTheBrokerRetainsFailsAtOnceSayingWhatToUse() {
    assertThatThrownBy(() -> broker.awaitPublished("c", 10_001, WAIT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retains the last 10000 messages per address")
        .hasMessageContaining("awaitDelivered");
  }

  @Test
  void aGroupJoiningLaterStartsFromTheLastRetainedMessagesOfTheAddress() {
    for (int i = 0; i < 10_005; i++) {
      bus.publish(GREETING, "hello " + i);
    }
    List<String> received = new CopyOnWriteArrayList<>();
    bus.subscribe(GREETING, "late", event -> received.add(event.data()));
    Awaitility.await().atMost(WAIT).until(() -> received.size() == 10_000);
    assertThat(received.get(0)).isEqualTo("hello 5");
    assertThat(broker.published("c")).hasSize(10_000);
  }

  @Test
  void aSubscriptionMadeAfterItsAddressWasPublishedToGetsWhatIsPublishedNext() {
    // The first publish finds no queue for the address, and the broker remembers that route until the queues change.
    bus.publish(GREETING, "before anyone listened").toCompletableFuture().join();
    List<String> received = new CopyOnWriteArrayList<>();
    try (var subscription = bus.subscribe(GREETING, event -> received.add(event.data()))) {
      bus.publish(GREETING, "after").toCompletableFuture().join();

      broker.awaitDelivered("c", 1, WAIT);
      assertThat(received).containsExactly("after");
    }
  }

  @Test
  void buses_whoseServerNamesTheSameHost_shareOneBroker() {
    assertThat(InMemoryBroker.named(broker.name())).isSameAs(broker);
    try (EventBus other = EventBus.builder().server(broker.server()).build()) {
      other.publish(GREETING, "from the other bus").toCompletableFuture().join();
    }
    assertThat(broker.published("c")).hasSize(1);
  }
}
