package dev.omnibus.kafka.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.apache.kafka.common.TopicPartition;
import org.jspecify.annotations.Nullable;

/**
 * The offsets of one assigned partition that were delivered and not yet committed, in offset order, and how far the
 * acknowledged prefix reaches. Committing only that contiguous prefix is what makes the binding at-least-once: an
 * offset is committed only when it and every offset before it were acknowledged.
 *
 * <p>Owned by the subscription's consumer thread; only {@link Slot#settle} is called from other threads.
 */
final class PartitionProgress {

  final TopicPartition partition;
  private final ArrayDeque<Slot> inFlight = new ArrayDeque<>();
  private final Map<Long, Integer> redeliveries = new HashMap<>();
  private long committable = -1;
  private long committed = -1;
  private long requested = -1;
  /** Set when this partition was rewound during the current batch: its remaining records of the batch are stale. */
  boolean rewound;
  /**
   * Set when the partition is no longer tracked here (revoked, lost, assigned anew, or the consumer shut down), so
   * that the delivery loop stops handing out its records without a map look-up per record.
   */
  boolean retired;

  PartitionProgress(TopicPartition partition) {
    this.partition = partition;
  }

  /** Starts tracking a delivered offset. */
  Slot track(long offset) {
    Slot slot = new Slot(this, offset);
    inFlight.addLast(slot);
    return slot;
  }

  /** Which delivery of the offset this is, counting redeliveries after nacks in this process. */
  int attemptOf(long offset) {
    if (redeliveries.isEmpty()) {
      return 1; // the common case, without boxing the offset
    }
    return 1 + redeliveries.getOrDefault(offset, 0);
  }

  /** Drops the acknowledged prefix from the offsets in flight. */
  void advance() {
    while (!inFlight.isEmpty() && inFlight.peekFirst().state == Slot.ACKED) {
      Slot slot = inFlight.pollFirst();
      committable = slot.offset + 1;
      redeliveries.remove(slot.offset);
    }
  }

  /** The next offset to commit (the consumer's convention: the first offset not handled), -1 when none. */
  long committable() {
    return committable;
  }

  /**
   * Whether the acknowledged prefix reaches further than what was committed, or, unless {@code confirmedOnly}, than
   * what was last requested (an asynchronous commit under way).
   */
  boolean needsCommit(boolean confirmedOnly) {
    return committable > (confirmedOnly ? committed : Math.max(committed, requested));
  }

  void commitRequested(long offset) {
    requested = Math.max(requested, offset);
  }

  void commitConfirmed(long offset) {
    committed = Math.max(committed, offset);
  }

  /** An asynchronous commit failed: the next settlement asks again. */
  void commitFailed() {
    requested = committed;
  }

  /**
   * Forgets every delivery at or after the offset, because the consumer is rewound to it: they come again, and their
   * late acknowledgements are ignored.
   */
  void rewind(long offset) {
    while (!inFlight.isEmpty() && inFlight.peekLast().offset >= offset) {
      Slot slot = inFlight.pollLast();
      if (slot.discard() == Slot.REQUEUED) {
        redeliveries.merge(slot.offset, 1, Integer::sum);
      }
    }
    rewound = true;
  }

  /** The first offset delivered and not settled away (after {@link #advance}), or null when none is in flight. */
  @Nullable Long firstInFlight() {
    Slot first = inFlight.peekFirst();
    return first == null ? null : first.offset;
  }

  /** Forgets everything: the partition is no longer ours. */
  void discardAll() {
    for (Slot slot : inFlight) {
      slot.discard();
    }
    inFlight.clear();
    redeliveries.clear();
  }

  /** Whether the slot is still tracked here (not settled away, not discarded). */
  boolean isCurrent(Slot slot) {
    return slot.state != Slot.DISCARDED && slot.owner == this;
  }

  /** Whether every delivery in flight has been settled (acknowledged, requeued or discarded). */
  boolean allSettled() {
    for (Slot slot : inFlight) {
      if (slot.state == Slot.PENDING) {
        return false;
      }
    }
    return true;
  }

  /** How many deliveries in flight are not settled yet. */
  int pending() {
    int pending = 0;
    for (Slot slot : inFlight) {
      if (slot.state == Slot.PENDING) {
        pending++;
      }
    }
    return pending;
  }

  int unsettled() {
    return inFlight.size();
  }

  /** One delivered offset and what its handler said. The first settlement wins. */
  static final class Slot {
    static final int PENDING = 0;
    static final int ACKED = 1;
    static final int REQUEUED = 2;
    static final int DISCARDED = 3;
    private static final AtomicIntegerFieldUpdater<Slot> STATE =
        AtomicIntegerFieldUpdater.newUpdater(Slot.class, "state");

    final PartitionProgress owner;
    final long offset;
    private volatile int state;

    private Slot(PartitionProgress owner, long offset) {
      this.owner = owner;
      this.offset = offset;
    }

    /** Records the handler's verdict; returns whether it was the first. Any thread. */
    boolean settle(int verdict) {
      return STATE.compareAndSet(this, PENDING, verdict);
    }

    int state() {
      return state;
    }

    /** Marks the slot dead and returns the state it had. */
    private int discard() {
      return STATE.getAndSet(this, DISCARDED);
    }
  }
}
