package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A received CloudEvent as the typed event a handler gets: payload decoded, extensions kept and unchangeable. */
class ReceivedEventTest {

  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class);

  private static CloudEventBuilder note() {
    return CloudEventBuilder.v1()
        .withId("e-1")
        .withSource(URI.create("/tests"))
        .withType("com.example.note")
        .withDataContentType("text/plain")
        .withData("hello".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anEventWithoutExtensionsHasAnEmptyMap() {
    Event<String> event = Dispatcher.received(NOTE, note().build());

    assertThat(event.data()).isEqualTo("hello");
    assertThat(event.extensions()).isEmpty();
  }

  @Test
  void oneExtensionIsKeptAndCannotBeChanged() {
    CloudEvent cloudEvent = note().withExtension("traceparent", "00-abc-01").build();

    Event<String> event = Dispatcher.received(NOTE, cloudEvent);

    assertThat(event.extensions()).containsExactly(Map.entry("traceparent", "00-abc-01"));
    assertThat(event.extension("traceparent")).isEqualTo("00-abc-01");
    assertThat(event.extension("other")).isNull();
    assertThatThrownBy(() -> event.extensions().put("other", "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> event.extensions().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void severalExtensionsAreKeptAndCannotBeChanged() {
    CloudEvent cloudEvent = note().withExtension("traceparent", "00-abc-01").withExtension("partitionkey", "k")
        .withExtension("count", 3).build();

    Event<String> event = Dispatcher.received(NOTE, cloudEvent);

    assertThat(event.extensions()).containsOnly(Map.entry("traceparent", "00-abc-01"), Map.entry("partitionkey", "k"),
        Map.entry("count", 3));
    assertThatThrownBy(() -> event.extensions().remove("count")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aReceivedEventWithOneExtensionEqualsTheSameEventBuilt() {
    CloudEvent cloudEvent = note().withExtension("traceparent", "00-abc-01").build();

    Event<String> received = Dispatcher.received(NOTE, cloudEvent);

    assertThat(received.extensions()).isEqualTo(Map.of("traceparent", "00-abc-01"));
    assertThat(received.extensions().hashCode()).isEqualTo(Map.of("traceparent", "00-abc-01").hashCode());
  }
}
