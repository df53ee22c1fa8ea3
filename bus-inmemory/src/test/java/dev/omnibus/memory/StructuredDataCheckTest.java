package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A structured-mode event's {@code data} object is delimited by its structure when the event is read, and checked
 * when its data is: by the bus's JSON codec as it decodes the payload, or before a raw handler gets the event. Data
 * that is not JSON makes the event malformed either way: it goes to dead letters as received, with the reason, and
 * consumption goes on. Data that is JSON but not the payload's type stays undecodable.
 */
class StructuredDataCheckTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  record Order(String id) {}

  private static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class).channel("c");

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final EventBus bus = EventBus.builder().server(broker.server()).maxAttempts(2).build();

  @AfterEach
  void close() {
    bus.close();
  }

  private static WireMessage structured(String id, String data) {
    String body = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/other\","
        + "\"type\":\"com.example.order.placed\",\"datacontenttype\":\"application/json\",\"data\":" + data + "}";
    return new WireMessage(Map.of(), EnvelopeCodec.STRUCTURED_CONTENT_TYPE, body.getBytes(StandardCharsets.UTF_8),
        null);
  }

  @Test
  void dataThatIsNotJsonIsMalformedForATypedHandlerAndTheNextEventIsHandled() {
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.subscribe(PLACED, "g", event -> handled.add(event.data().id()));

    CloudEvent deadLetter = malformedBeforeTheNext(structured("e-1", "{\"id\":tru}"), handled, "o-2");

    assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("malformed: data is not JSON: ")
        .contains("tru");
  }

  @Test
  void dataThatIsNotJsonIsMalformedBeforeARawHandlerGetsIt() {
    List<String> handled = new CopyOnWriteArrayList<>();
    bus.subscribe("c", "g", event -> handled.add(event.getId()));
    WireMessage twice = structured("e-1", "{\"id\":\"o-1\",\"id\":\"o-2\"}");

    CloudEvent deadLetter = malformedBeforeTheNext(twice, handled, "e-2");

    assertThat(deadLetter.getExtension("dlqreason")).hasToString("malformed: data is not JSON: Duplicate field 'id'");
  }

  /**
   * Injects the bad message, then a good one (id e-2, order o-2); returns the bad one's dead letter, a malformed one
   * holding the message as received, once the good one alone was handled.
   */
  private CloudEvent malformedBeforeTheNext(WireMessage bad, List<String> handled, String next) {
    broker.inject("c", bad);
    broker.inject("c", structured("e-2", "{\"id\":\"o-2\"}"));

    CloudEvent deadLetter = broker.awaitPublished("c.dlq", 1, WAIT).get(0);
    Awaitility.await().atMost(WAIT).until(() -> handled.contains(next));
    assertThat(handled).containsExactly(next);
    assertThat(deadLetter.getType()).isEqualTo("dev.omnibus.deadletter.malformed");
    assertThat(deadLetter.getData().toBytes()).isEqualTo(bad.body());
    return deadLetter;
  }

  @Test
  void jsonDataThatIsNotThePayloadTypeStaysUndecodable() {
    bus.subscribe(PLACED, "g", event -> { });

    broker.inject("c", structured("e-1", "[\"o-1\"]"));

    CloudEvent deadLetter = broker.awaitPublished("c.dlq", 1, WAIT).get(0);
    assertThat(deadLetter.getId()).isEqualTo("e-1");
    assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("undecodable payload: ");
  }
}
