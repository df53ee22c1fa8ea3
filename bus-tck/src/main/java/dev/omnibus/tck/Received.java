package dev.omnibus.tck;

import dev.omnibus.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Events a handler received, in order, with waits whose failures list the missing and the extra event ids.
 *
 * <p>Thread-safe.
 *
 * @param <T> the payload type
 */
public final class Received<T> {

  private final List<Event<T>> events = new CopyOnWriteArrayList<>();

  /** Records an event; use as (part of) a handler. */
  public void add(Event<T> event) {
    events.add(event);
  }

  /** Everything received so far, in arrival order. */
  public List<Event<T>> events() {
    return List.copyOf(events);
  }

  /** The ids received so far, in arrival order, duplicates included. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>(events.size());
    for (Event<T> event : events) {
      ids.add(event.id());
    }
    return ids;
  }

  /** How many events were received, duplicates included. */
  public int size() {
    return events.size();
  }

  /**
   * Waits until every expected id arrived (duplicates allowed: delivery is at least once).
   *
   * @throws AssertionError listing the missing ids and the ids that arrived without being expected
   */
  public void awaitAll(Collection<String> expected, Duration timeout) {
    Set<String> wanted = new LinkedHashSet<>(expected);
    try {
      Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
          .until(() -> new LinkedHashSet<>(ids()).containsAll(wanted));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(describe(wanted, "within " + timeout), e);
    }
    Set<String> extra = new LinkedHashSet<>(ids());
    extra.removeAll(wanted);
    if (!extra.isEmpty()) {
      throw new AssertionError(describe(wanted, "(all expected arrived)"));
    }
  }

  /** Waits until at least {@code count} events arrived. */
  public void awaitCount(int count, Duration timeout) {
    try {
      Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> events.size() >= count);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Expected at least " + count + " events within " + timeout + ", got " + events.size(),
          e);
    }
  }

  /** A description of the difference between what was expected and what arrived. */
  public String describe(Set<String> expected, String when) {
    Set<String> got = new LinkedHashSet<>(ids());
    Set<String> missing = new LinkedHashSet<>(expected);
    missing.removeAll(got);
    Set<String> extra = new LinkedHashSet<>(got);
    extra.removeAll(expected);
    return "Expected " + expected.size() + " events " + when + ", received " + events.size() + " ("
        + got.size() + " distinct). Missing " + missing.size() + ": " + sample(missing) + ". Extra " + extra.size()
        + ": " + sample(extra);
  }

  private static String sample(Set<String> ids) {
    List<String> list = new ArrayList<>(ids);
    return list.size() <= 20 ? list.toString() : list.subList(0, 20) + " and " + (list.size() - 20) + " more";
  }
}
