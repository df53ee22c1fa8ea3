package dev.omnibus.test;

import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Records what one bus did, as an {@link Interceptor} on it: the events it published (once the broker confirmed them),
 * the events its handlers consumed (returned from) or failed on (threw), and the dead letters it sent. Queries decode
 * payloads with the event type's codec, so a test reads its own records: {@code published(ORDER_PAID)} is a
 * {@code List<OrderPaid>}. {@link OmnibusAssertions#assertThat(BusRecorder)} asserts on them with AssertJ.
 *
 * <pre>{@code
 * BusRecorder events = BusRecorder.create();
 * EventBus bus = EventBus.builder().server(broker.server()).intercept(events).build();  // OmnibusExtension does this
 * bus.subscribe(ORDER_PLACED, "billing", billing::onOrderPlaced);
 * bus.publish(ORDER_PLACED, order);
 * List<OrderPaid> paid = events.awaitPublished(ORDER_PAID, 1);
 * }</pre>
 *
 * <p>Register it first ({@code intercept} before any other), so that it sees each event as the application does. The
 * bus's own interceptors (payload validation, dedupe) run inside it: an event refused by validation is recorded as
 * failed, then dead-lettered; a duplicate skipped by dedupe is recorded as consumed.
 *
 * <p>{@link #clear()} starts a new record, as a test framework does before each test on a bus that outlives the test:
 * what an earlier test set off and the bus finishes after the clear (a handling of an event published before it, a
 * publish a handler of such an event makes, a dead letter of such an event, a publish confirmed after it) is not
 * recorded, so that a test's assertions never see a predecessor's stragglers.
 *
 * <p>Thread-safe: publishes come from the test and handlers, handlings from consumer threads. The {@code await*}
 * methods wait on a monitor, never by sleeping.
 */
public final class BusRecorder implements Interceptor {

  /** How long the {@code await*} methods without a timeout wait. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final String DLQ_REASON = "dlqreason";
  private static final String DLQ_ATTEMPTS = "dlqattempts";
  private static final String DLQ_CHANNEL = "dlqchannel";
  private static final String DLQ_GROUP = "dlqgroup";

  private final Object lock = new Object();
  private final List<CloudEvent> published = new ArrayList<>();
  private final List<Handled> consumed = new ArrayList<>();
  private final List<Handled> failed = new ArrayList<>();
  private final List<CloudEvent> deadLetters = new ArrayList<>();
  /** Ids of the events this bus published before the last {@link #clear()}, oldest first, at most {@link #EARLIER}. */
  private final Set<String> earlier = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > EARLIER;
    }
  });
  /** How many times {@link #clear()} ran; what began before the last one belongs to the earlier record. */
  private int generation;
  /** The handling this thread runs, whose handler's publishes belong to the record the handling belongs to. */
  private final ThreadLocal<Begun> handling = new ThreadLocal<>();

  /** How many earlier ids are remembered: far more than one test's stragglers, and a bounded memory. */
  private static final int EARLIER = 100_000;

  private BusRecorder() {}

  /** A recorder with nothing recorded; register it on a bus with {@code EventBus.builder().intercept(...)}. */
  public static BusRecorder create() {
    return new BusRecorder();
  }

  /**
   * One handling whose handler threw: the attempt counts as failed, and the event comes again or goes to dead letters.
   *
   * @param data the event's payload, {@code null} for an event without data
   * @param attempt which attempt failed, 1 for the first
   * @param error what the handler (or an interceptor refusing the event before it) threw
   * @param channel the channel id
   * @param group the consumer group, {@code null} for an anonymous subscription
   * @param event the event as received
   */
  public record Failure<T>(@Nullable T data, int attempt, Throwable error, String channel, @Nullable String group,
      CloudEvent event) {}

  /**
   * One dead letter the bus sent.
   *
   * @param data the failed event's payload, {@code null} for an event without data
   * @param reason why, e.g. {@code handler failed 5 times} or {@code invalid payload: [...]}
   * @param attempts how many attempts were made
   * @param channel the channel id the event was consumed from
   * @param group the consumer group, {@code null} for an anonymous subscription
   * @param event the dead letter as sent: the failed event with the {@code dlq*} extensions
   */
  public record DeadLetter<T>(@Nullable T data, String reason, int attempts, String channel, @Nullable String group,
      CloudEvent event) {}

  /** When a handling or publish began, and whether its event is from before the last clear. */
  private record Begun(int generation, boolean ofEarlier) {}

  /** A handling as recorded. */
  private record Handled(CloudEvent event, String channel, @Nullable String group, int attempt,
      @Nullable Throwable error) {}

  @Override
  public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
    Begun within = handling.get();
    Begun begun = within != null ? within : new Begun(generation(), false);
    CompletableFuture<Void> recorded = new CompletableFuture<>();
    next.proceed(publishing).whenComplete((ignored, error) -> {
      if (error != null) {
        // Unwrapped, so that the application sees the bus's own exception as without the recorder.
        recorded.completeExceptionally(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
        return;
      }
      CloudEvent event = publishing.event();
      if (publishing.kind() == Kind.DEAD_LETTER) {
        record(deadLetters, event, event.getId(), begun);
      } else if (publishing.kind() != Kind.RETRY) {
        // A retry copy is the bus's own, not a publish of the application's.
        recordPublished(event, begun);
      }
      recorded.complete(null);
    });
    return recorded;
  }

  @Override
  public void aroundHandle(Handling handling, HandleChain next) throws Exception {
    String id = handling.event().getId();
    Begun begun;
    synchronized (lock) {
      begun = new Begun(generation, earlier.contains(id));
    }
    Begun outer = this.handling.get();
    this.handling.set(begun);
    try {
      next.proceed(handling);
    } catch (Exception | Error e) {
      record(failed, new Handled(handling.event(), handling.channel(), handling.group(), handling.attempt(), e), id,
          begun);
      throw e;
    } finally {
      this.handling.set(outer);
    }
    record(consumed, new Handled(handling.event(), handling.channel(), handling.group(), handling.attempt(), null), id,
        begun);
  }

  /**
   * The payloads of the events of a type this bus published (and the broker confirmed), oldest first; replays
   * included, dead letters not.
   */
  public <T> List<@Nullable T> published(EventType<T> type) {
    return map(publishedEvents(type), event -> data(type, event));
  }

  /** The events of a type this bus published, as CloudEvents, oldest first. */
  public List<CloudEvent> publishedEvents(EventType<?> type) {
    return select(published, ofType(type));
  }

  /** Every event this bus published, as CloudEvents, oldest first. */
  public List<CloudEvent> publishedEvents() {
    return select(published, event -> true);
  }

  /** The payloads of the events of a type that this bus's handlers returned from, oldest first. */
  public <T> List<@Nullable T> consumed(EventType<T> type) {
    return map(select(consumed, handled -> ofType(type).test(handled.event())),
        handled -> data(type, handled.event()));
  }

  /** The events of a type this bus's handlers returned from, as CloudEvents, oldest first. */
  public List<CloudEvent> consumedEvents(EventType<?> type) {
    return map(select(consumed, handled -> ofType(type).test(handled.event())), Handled::event);
  }

  /** The attempts at events of a type whose handler threw, oldest first. */
  public <T> List<Failure<T>> failed(EventType<T> type) {
    return map(select(failed, handled -> ofType(type).test(handled.event())), handled -> new Failure<>(
        data(type, handled.event()), handled.attempt(), Objects.requireNonNull(handled.error()), handled.channel(),
        handled.group(), handled.event()));
  }

  /** The dead letters this bus sent for events of a type, oldest first. */
  public <T> List<DeadLetter<T>> deadLettered(EventType<T> type) {
    return map(select(deadLetters, ofType(type)), letter -> new DeadLetter<>(data(type, letter),
        text(letter, DLQ_REASON), attempts(letter), text(letter, DLQ_CHANNEL), letter.getExtension(DLQ_GROUP) == null
            ? null : text(letter, DLQ_GROUP), letter));
  }

  /**
   * Every dead letter this bus sent, as CloudEvents with the {@code dlq*} extensions, oldest first; a message that was
   * not a CloudEvent has the type {@code dev.omnibus.deadletter.malformed}.
   */
  public List<CloudEvent> deadLetters() {
    return select(deadLetters, event -> true);
  }

  /** Waits until at least {@code count} events of a type were published, then returns their payloads. */
  public <T> List<@Nullable T> awaitPublished(EventType<T> type, int count) {
    return awaitPublished(type, count, DEFAULT_TIMEOUT);
  }

  /**
   * Waits until at least {@code count} events of a type were published, then returns their payloads.
   *
   * @throws AssertionError when fewer were published within the timeout, saying what was
   */
  public <T> List<@Nullable T> awaitPublished(EventType<T> type, int count, Duration timeout) {
    return await("published", type, count, timeout, () -> published(type));
  }

  /** Waits until this bus's handlers returned from at least {@code count} events of a type; returns their payloads. */
  public <T> List<@Nullable T> awaitConsumed(EventType<T> type, int count) {
    return awaitConsumed(type, count, DEFAULT_TIMEOUT);
  }

  /**
   * Waits until this bus's handlers returned from at least {@code count} events of a type; returns their payloads.
   *
   * @throws AssertionError when fewer were consumed within the timeout, saying what was
   */
  public <T> List<@Nullable T> awaitConsumed(EventType<T> type, int count, Duration timeout) {
    return await("consumed", type, count, timeout, () -> consumed(type));
  }

  /** Waits until handlers failed at least {@code count} attempts at events of a type; returns the failures. */
  public <T> List<Failure<T>> awaitFailed(EventType<T> type, int count) {
    return awaitFailed(type, count, DEFAULT_TIMEOUT);
  }

  /**
   * Waits until handlers failed at least {@code count} attempts at events of a type; returns the failures.
   *
   * @throws AssertionError when fewer failed within the timeout, saying what did
   */
  public <T> List<Failure<T>> awaitFailed(EventType<T> type, int count, Duration timeout) {
    return await("failed", type, count, timeout, () -> failed(type));
  }

  /** Waits until at least {@code count} events of a type went to dead letters; returns the dead letters. */
  public <T> List<DeadLetter<T>> awaitDeadLettered(EventType<T> type, int count) {
    return awaitDeadLettered(type, count, DEFAULT_TIMEOUT);
  }

  /**
   * Waits until at least {@code count} events of a type went to dead letters; returns the dead letters.
   *
   * @throws AssertionError when fewer were dead-lettered within the timeout, saying what was
   */
  public <T> List<DeadLetter<T>> awaitDeadLettered(EventType<T> type, int count, Duration timeout) {
    return await("dead-lettered", type, count, timeout, () -> deadLettered(type));
  }

  /**
   * Forgets everything recorded so far, e.g. what a test's setup published, and starts a new record: handlings and
   * dead letters of the events published before now, the publishes their handlers make, and publishes confirmed after
   * now that began before it are not recorded (see the class comment).
   */
  public void clear() {
    synchronized (lock) {
      for (CloudEvent event : published) {
        remember(event.getId());
      }
      generation++;
      published.clear();
      consumed.clear();
      failed.clear();
      deadLetters.clear();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "BusRecorder[published " + types(published, Function.identity()) + ", consumed "
          + types(consumed, Handled::event) + ", failed " + types(failed, Handled::event) + ", dead-lettered "
          + types(deadLetters, Function.identity()) + "]";
    }
  }

  private int generation() {
    synchronized (lock) {
      return generation;
    }
  }

  /**
   * Records a publish unless it belongs to the earlier record; one of the current record makes its id current again,
   * as a replay of an earlier event in this test does.
   */
  private void recordPublished(CloudEvent event, Begun begun) {
    synchronized (lock) {
      if (begun.ofEarlier() || begun.generation() != generation) {
        remember(event.getId());
        return;
      }
      earlier.remove(event.getId());
      published.add(event);
      lock.notifyAll();
    }
  }

  /** Records a handling or dead letter unless its event or its beginning is from before the last clear. */
  private <E> void record(List<E> list, E entry, String id, Begun begun) {
    synchronized (lock) {
      if (begun.ofEarlier() || begun.generation() != generation || earlier.contains(id)) {
        return;
      }
      list.add(entry);
      lock.notifyAll();
    }
  }

  /** Called holding the lock; the oldest id goes when there are more than {@link #EARLIER}. */
  private void remember(String id) {
    earlier.remove(id); // to the end again
    earlier.add(id);
  }

  private <E> List<E> select(List<E> list, Predicate<E> filter) {
    synchronized (lock) {
      return list.stream().filter(filter).toList();
    }
  }

  private static <E, R> List<R> map(List<E> entries, Function<E, R> mapping) {
    List<R> mapped = new ArrayList<>(entries.size());
    for (E entry : entries) {
      mapped.add(mapping.apply(entry));
    }
    return Collections.unmodifiableList(mapped);
  }

  private <R> List<R> await(String what, EventType<?> type, int count, Duration timeout,
      java.util.function.Supplier<List<R>> query) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, was " + count);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (true) {
        List<R> found = query.get();
        if (found.size() >= count) {
          return found;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("Expected at least " + count + " events of type '" + type.type() + "' " + what
              + " within " + timeout + ", got " + found.size() + "; recorded: " + this);
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("Interrupted while waiting for events of type '" + type.type() + "' " + what, e);
        }
      }
    }
  }

  private static Predicate<CloudEvent> ofType(EventType<?> type) {
    Objects.requireNonNull(type, "type");
    return event -> event.getType().equals(type.type());
  }

  private static <T> @Nullable T data(EventType<T> type, CloudEvent event) {
    CloudEventData data = event.getData();
    if (data == null) {
      return null;
    }
    try {
      return type.codec().decode(data.toBytes());
    } catch (RuntimeException e) {
      throw new AssertionError("Event " + event.getId() + " of type '" + type.type() + "' has data that does not "
          + "decode as " + type.javaType().getName() + ": " + e.getMessage(), e);
    }
  }

  private static String text(CloudEvent letter, String extension) {
    Object value = letter.getExtension(extension);
    return value == null ? "" : value.toString();
  }

  private static int attempts(CloudEvent letter) {
    Object value = letter.getExtension(DLQ_ATTEMPTS);
    if (value instanceof Number number) {
      return number.intValue();
    }
    try {
      return value == null ? 0 : Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static <E> List<String> types(List<E> entries, Function<E, CloudEvent> event) {
    return entries.stream().map(entry -> event.apply(entry).getType()).toList();
  }
}
