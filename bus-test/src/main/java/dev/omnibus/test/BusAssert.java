package dev.omnibus.test;

import dev.omnibus.EventType;
import io.cloudevents.CloudEvent;
import java.util.List;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;
import org.jspecify.annotations.Nullable;

/**
 * AssertJ assertions on a {@link BusRecorder}: each method picks the records of one event type and returns AssertJ's
 * list assertion on them, so every list matcher applies ({@code containsExactly}, {@code singleElement().satisfies},
 * {@code extracting}, {@code hasSize}...). The {@code await*} methods first wait until enough were recorded (10 s at
 * most; {@link BusRecorder}'s own {@code await*} methods take another timeout).
 *
 * <pre>{@code
 * assertThat(events).awaitPublished(ORDER_PAID, 1).containsExactly(new OrderPaid("o-1", 4599, "EUR"));
 * assertThat(events).failed(ORDER_PLACED).extracting(BusRecorder.Failure::attempt).containsExactly(1, 2);
 * assertThat(events).hasNoDeadLetters();
 * }</pre>
 *
 * <p>Made by {@link OmnibusAssertions#assertThat(BusRecorder)}. Not thread-safe, as AssertJ's assertions are not.
 */
public final class BusAssert extends AbstractAssert<BusAssert, BusRecorder> {

  BusAssert(BusRecorder actual) {
    super(actual, BusAssert.class);
  }

  /** The payloads of the events of a type the bus published, oldest first. */
  public <T> ListAssert<@Nullable T> published(EventType<T> type) {
    return list(actual.published(type), "payloads of '%s' published", type);
  }

  /** The events of a type the bus published, as CloudEvents (to check id, subject, extensions...). */
  public ListAssert<CloudEvent> publishedEvents(EventType<?> type) {
    return list(actual.publishedEvents(type), "'%s' events published", type);
  }

  /** The payloads of the events of a type the bus's handlers returned from, oldest first. */
  public <T> ListAssert<@Nullable T> consumed(EventType<T> type) {
    return list(actual.consumed(type), "payloads of '%s' consumed", type);
  }

  /** The attempts at events of a type whose handler threw, oldest first. */
  public <T> ListAssert<BusRecorder.Failure<T>> failed(EventType<T> type) {
    return list(actual.failed(type), "failed attempts at '%s'", type);
  }

  /** The dead letters of events of a type, oldest first, with their reason and attempts. */
  public <T> ListAssert<BusRecorder.DeadLetter<T>> deadLettered(EventType<T> type) {
    return list(actual.deadLettered(type), "dead letters of '%s'", type);
  }

  /** Waits until {@code count} events of a type were published (10 s at most), then as {@link #published}. */
  public <T> ListAssert<@Nullable T> awaitPublished(EventType<T> type, int count) {
    return list(actual.awaitPublished(type, count), "payloads of '%s' published", type);
  }

  /** Waits until handlers returned from {@code count} events of a type (10 s at most), then as {@link #consumed}. */
  public <T> ListAssert<@Nullable T> awaitConsumed(EventType<T> type, int count) {
    return list(actual.awaitConsumed(type, count), "payloads of '%s' consumed", type);
  }

  /** Waits until {@code count} attempts at events of a type failed (10 s at most), then as {@link #failed}. */
  public <T> ListAssert<BusRecorder.Failure<T>> awaitFailed(EventType<T> type, int count) {
    return list(actual.awaitFailed(type, count), "failed attempts at '%s'", type);
  }

  /** Waits until {@code count} events of a type were dead-lettered (10 s at most), then as {@link #deadLettered}. */
  public <T> ListAssert<BusRecorder.DeadLetter<T>> awaitDeadLettered(EventType<T> type, int count) {
    return list(actual.awaitDeadLettered(type, count), "dead letters of '%s'", type);
  }

  /** Verifies that the bus sent no dead letter at all. */
  public BusAssert hasNoDeadLetters() {
    isNotNull();
    List<CloudEvent> letters = actual.deadLetters();
    if (!letters.isEmpty()) {
      failWithMessage("Expected no dead letters, but the bus sent %s: %s", letters.size(),
          letters.stream().map(letter -> letter.getType() + " (" + letter.getExtension("dlqreason") + ")").toList());
    }
    return this;
  }

  private <E> ListAssert<E> list(List<E> records, String description, EventType<?> type) {
    isNotNull();
    ListAssert<E> list = Assertions.assertThat(records);
    return list.as(description, type.type());
  }
}
