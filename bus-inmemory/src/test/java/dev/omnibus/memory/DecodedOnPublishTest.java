package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireHeaders;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The broker decodes a message's envelope once, on the publishing thread, and its deliveries hand that decoding to the
 * bus: what the bus gets is what its own envelope would decode, a malformed message still fails as it would, and the
 * consumer's thread does not decode again.
 */
class DecodedOnPublishTest {

  private static final EnvelopeCodec MEMORY = EnvelopeCodec.of(HeaderConvention.MEMORY);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");

  private static CloudEvent event(String id) {
    return CloudEventBuilder.v1()
        .withId(id)
        .withSource(URI.create("/tests"))
        .withType("com.example.note")
        .withSubject("key-1")
        .withTime(OffsetDateTime.parse("2026-11-30T12:00:00.123456789Z"))
        .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .withExtension("count", 7)
        .withDataContentType("application/json")
        .withData("\"hello\"".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static Transport transport(InMemoryBroker broker) {
    return new InMemoryTransportProvider().open(broker.server());
  }

  @Test
  void aDeliveredEventIsWhatTheBussEnvelopeDecodesFromTheMessage() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    WireMessage message = MEMORY.encode(event("e-1"), Mode.BINARY);
    try (Transport transport = transport(broker)) {
      BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
      transport.subscribe(Destination.of("notes"), new SubscribeOptions("g", 1), deliveries::add);
      transport.send(Destination.of("notes"), message).toCompletableFuture().join();

      Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);

      assertThat(delivery).isNotNull();
      assertThat(delivery.event(EnvelopeCodec.of(HeaderConvention.MEMORY))).isEqualTo(MEMORY.decode(message));
      delivery.ack();
    }
  }

  @Test
  void aMessageGivenToTwoGroupsAndRedeliveredIsDecodedOnce() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    try (Transport transport = transport(broker)) {
      BlockingQueue<Delivery> first = new LinkedBlockingQueue<>();
      BlockingQueue<Delivery> second = new LinkedBlockingQueue<>();
      transport.subscribe(Destination.of("notes"), new SubscribeOptions("first", 1), first::add);
      transport.subscribe(Destination.of("notes"), new SubscribeOptions("second", 1), second::add);
      transport.send(Destination.of("notes"), MEMORY.encode(event("e-1"), Mode.BINARY)).toCompletableFuture().join();

      Delivery one = first.poll(10, TimeUnit.SECONDS);
      Delivery other = second.poll(10, TimeUnit.SECONDS);
      CloudEvent decoded = one.event(MEMORY);
      one.nack(true);
      Delivery again = first.poll(10, TimeUnit.SECONDS);

      // The same object each time: decoded by the broker once, not by each consumer on its own thread.
      assertThat(other.event(MEMORY)).isSameAs(decoded);
      assertThat(again.event(MEMORY)).isSameAs(decoded);
      other.ack();
      again.ack();
    }
  }

  @Test
  void aMalformedMessageFailsToDecodeWithTheReasonsTheEnvelopeGives() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    WireMessage junk = new WireMessage(Map.of("id", "x"), null, "junk".getBytes(StandardCharsets.UTF_8), null);
    List<String> expected = violations(junk);
    try (Transport transport = transport(broker)) {
      BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
      transport.subscribe(Destination.of("notes"), new SubscribeOptions("g", 1), deliveries::add);
      transport.send(Destination.of("notes"), junk).toCompletableFuture().join();

      Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);

      assertThatThrownBy(() -> delivery.event(MEMORY))
          .isInstanceOfSatisfying(MalformedEventException.class,
              e -> assertThat(e.violations()).isEqualTo(expected));
      delivery.ack();
    }
  }

  @Test
  void aMalformedInjectedMessageIsDeadLetteredWithItsReasonAndTheChannelGoesOn() {
    WireMessage junk = new WireMessage(Map.of(), null, "junk".getBytes(StandardCharsets.UTF_8), null);

    assertThat(injectedBeforeANote(junk).reason())
        .startsWith("malformed: ")
        .contains(violations(junk).get(0));
  }

  @Test
  void aRawMessageThatOnlyValidationRefusesIsDeadLetteredWithItsReason() {
    // Headers as the envelope itself builds them, parsed without trouble, but an id with a control character: only
    // the validation refuses it, which the broker skips for messages a bus encoded and must not skip for this one.
    WireHeaders.Builder headers = WireHeaders.builder(4);
    headers.add("specversion", "1.0");
    headers.add("id", "bad\u0007id");
    headers.add("source", "/tests");
    headers.add("type", NOTE.type());
    WireMessage raw = new WireMessage(headers.build(), "application/json", "\"x\"".getBytes(StandardCharsets.UTF_8),
        null);
    String reason = violations(raw).get(0);
    assertThat(reason).contains("id");

    DeadLettered outcome = injectedBeforeANote(raw);

    assertThat(outcome.reason()).startsWith("malformed: ").contains(reason);
    assertThat(outcome.handled()).containsExactly("after");
  }

  /**
   * Injects a message into the channel of a group and publishes a valid note after it; returns the reason its dead
   * letter gives and what the group handled, once the note after it was handled.
   */
  private static DeadLettered injectedBeforeANote(WireMessage message) {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).channel("notes", "notes").build()) {
      List<String> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(NOTE, "g", event -> handled.add(event.data()));

      broker.inject("notes", message);
      bus.publish(NOTE, "after").toCompletableFuture().join();

      CloudEvent deadLetter = broker.awaitPublished("notes.dlq", 1, WAIT).get(0);
      Awaitility.await().atMost(WAIT).until(() -> handled.contains("after"));
      return new DeadLettered(String.valueOf(deadLetter.getExtension("dlqreason")), List.copyOf(handled));
    }
  }

  private record DeadLettered(String reason, List<String> handled) {}

  @Test
  void anEventABusPublishedIsDeliveredAsTheEnvelopeDecodesItsMessage() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).channel("notes", "notes").build();
        Transport transport = transport(broker)) {
      BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
      transport.subscribe(Destination.of("notes"), new SubscribeOptions("g", 1), deliveries::add);
      bus.publish(NOTE.event("hello").subject("key-1").extension("traceparent",
          "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build()).toCompletableFuture().join();

      Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);

      assertThat(delivery).isNotNull();
      WireMessage sent = broker.publishedMessages("notes").get(0);
      assertThat(delivery.event(MEMORY)).isEqualTo(MEMORY.decode(sent));
      assertThat(delivery.event(MEMORY).getSubject()).isEqualTo("key-1");
      delivery.ack();
    }
  }

  @Test
  void anEnvelopeOfAnotherConventionDecodesTheMessageItself() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    EnvelopeCodec kafka = EnvelopeCodec.of(HeaderConvention.KAFKA);
    // A message in the Kafka convention's headers: the broker's decoding (memory convention) would refuse it.
    WireMessage message = kafka.encode(event("e-1"), Mode.BINARY);
    try (Transport transport = transport(broker)) {
      BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
      transport.subscribe(Destination.of("notes"), new SubscribeOptions("g", 1), deliveries::add);
      transport.send(Destination.of("notes"), message).toCompletableFuture().join();

      Delivery delivery = deliveries.poll(10, TimeUnit.SECONDS);

      assertThat(delivery.event(kafka)).isEqualTo(kafka.decode(message));
      delivery.ack();
    }
  }

  private static List<String> violations(WireMessage message) {
    try {
      MEMORY.decode(message);
      throw new AssertionError("expected a malformed message");
    } catch (MalformedEventException e) {
      return e.violations();
    }
  }
}
