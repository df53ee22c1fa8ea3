package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A built event keeps the extensions it was given, unchangeable and untouched by later use of its builder. */
class BuiltEventExtensionsTest {

  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class);

  @Test
  void anEventWithoutExtensionsHasAnEmptyMap() {
    assertThat(NOTE.event("hi").build().extensions()).isEmpty();
  }

  @Test
  void oneExtensionIsKeptAsGivenAndCannotBeChanged() {
    Event.Builder<String> builder = NOTE.event("hi").extension("traceparent", "00-abc-01");

    Event<String> event = builder.build();
    builder.extension("traceparent", "00-def-01").extension("tenant", "t1");

    assertThat(event.extensions()).containsExactly(Map.entry("traceparent", "00-abc-01"));
    assertThat(event.extension("traceparent")).isEqualTo("00-abc-01");
    assertThatThrownBy(() -> event.extensions().put("tenant", "t2")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void severalExtensionsKeepTheirOrderAndCannotBeChanged() {
    Event.Builder<String> builder = NOTE.event("hi").extension("b", "2").extension("a", 1).extension("c", true);

    Event<String> event = builder.build();
    builder.extension("d", "4");

    assertThat(event.extensions()).containsExactly(Map.entry("b", "2"), Map.entry("a", 1), Map.entry("c", true));
    assertThatThrownBy(() -> event.extensions().remove("a")).isInstanceOf(UnsupportedOperationException.class);
  }
}
