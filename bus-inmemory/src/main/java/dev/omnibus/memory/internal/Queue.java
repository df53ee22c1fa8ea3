package dev.omnibus.memory.internal;

import dev.omnibus.envelope.EnvelopeCodec;
import io.cloudevents.CloudEvent;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue of one consumer group (or of one anonymous subscription) over the topics its pattern matches.
 *
 * <p>Messages are spread over lanes by key, as Kafka spreads them over partitions: a lane has at most one message in
 * flight, so messages of one key are handled in order, and each lane is served by one member at a time, so members of
 * a group compete. An unacknowledged message stays at the head of its lane: a nack, or a member that leaves without
 * acknowledging, hands it out again.
 */
public final class Queue {

  private static final Logger LOG = LoggerFactory.getLogger(Queue.class);
  static final int LANES = 64;

  private final @Nullable String group;
  private final Pattern pattern;
  private final java.util.Map<String, Boolean> matched = new java.util.concurrent.ConcurrentHashMap<>();
  private final Lane[] lanes = new Lane[LANES];
  private final List<Member> members = new CopyOnWriteArrayList<>();
  private final Broker broker;
  private int nextLane;

  Queue(Broker broker, @Nullable String group, Pattern pattern) {
    this.broker = broker;
    this.group = group;
    this.pattern = pattern;
    for (int i = 0; i < LANES; i++) {
      lanes[i] = new Lane(i);
    }
  }

  @Nullable String group() {
    return group;
  }

  boolean matches(String address) {
    // Addresses repeat on every publish: remember the answer instead of running the pattern each time (looked up
    // first, so that the capturing function is made only for a new address, not on every publish).
    Boolean known = matched.get(address);
    return known != null ? known : matched.computeIfAbsent(address, key -> pattern.matcher(key).matches());
  }

  synchronized void enqueue(String address, Carried message) {
    String key = message.wire().key();
    Lane lane = key == null ? lanes[nextLane++ % LANES] : lanes[Math.floorMod(key.hashCode(), LANES)];
    lane.pending.addLast(new Entry(address, message));
    schedule(lane);
  }

  synchronized void clear() {
    for (Lane lane : lanes) {
      Entry inFlight = lane.inFlight;
      lane.pending.clear();
      if (inFlight != null) {
        lane.pending.addLast(inFlight);
      }
    }
  }

  synchronized int pending() {
    int count = 0;
    for (Lane lane : lanes) {
      count += lane.pending.size();
    }
    return count;
  }

  Member join(DeliveryHandler handler, String name) {
    Member member = new Member(handler, name);
    synchronized (this) {
      members.add(member);
      for (Lane lane : lanes) {
        schedule(lane);
      }
    }
    return member;
  }

  private void schedule(Lane lane) {
    if (lane.inFlight != null || lane.pending.isEmpty() || members.isEmpty()) {
      return;
    }
    Member member = members.get(lane.index % members.size());
    Entry entry = lane.pending.peekFirst();
    lane.inFlight = entry;
    lane.member = member;
    entry.attempts++;
    member.dispatch(new InMemoryDelivery(lane, entry, entry.attempts));
  }

  private void settle(Lane lane, Entry entry, boolean handled, boolean requeue) {
    synchronized (this) {
      if (lane.inFlight != entry) {
        return;
      }
      lane.inFlight = null;
      lane.member = null;
      if (handled || !requeue) {
        lane.pending.pollFirst();
      }
      schedule(lane);
    }
    if (handled) {
      // Outside the queue's monitor: the broker's monitor is always taken before a queue's, never after.
      broker.acknowledged(entry.address);
    }
  }

  /** One member's departure: its unsettled messages go to the remaining members. */
  private synchronized void leave(Member member) {
    members.remove(member);
    for (Lane lane : lanes) {
      if (lane.member == member) {
        lane.inFlight = null;
        lane.member = null;
      }
      schedule(lane);
    }
  }

  boolean hasMembers() {
    return !members.isEmpty();
  }

  private static final class Lane {
    final int index;
    final ArrayDeque<Entry> pending = new ArrayDeque<>();
    @Nullable Entry inFlight;
    @Nullable Member member;

    Lane(int index) {
      this.index = index;
    }
  }

  private static final class Entry {
    final String address;
    final Carried message;
    int attempts;

    Entry(String address, Carried message) {
      this.address = address;
      this.message = message;
    }
  }

  private final class InMemoryDelivery extends SettleOnceDelivery {
    private final Lane lane;
    private final Entry entry;

    InMemoryDelivery(Lane lane, Entry entry, int attempt) {
      super(entry.message.wire(), attempt);
      this.lane = lane;
      this.entry = entry;
    }

    /** The decoding the broker made on the publishing thread, as the bus's envelope would make it. */
    @Override
    public CloudEvent event(EnvelopeCodec envelope) {
      return entry.message.event(envelope);
    }

    @Override
    protected void onAck() {
      settle(lane, entry, true, false);
    }

    @Override
    protected void onNack(boolean requeue) {
      settle(lane, entry, false, requeue);
    }
  }

  /**
   * The threads that run members' deliveries, shared by every queue of the process: a thread is made when a member
   * has work and no idle thread is there, and ends after a minute without work. So an idle subscription costs no
   * thread, and the threads follow the subscriptions that are busy at once, not how many there are. A thread bears the
   * name of the subscription it runs, or ran last.
   */
  private static final AtomicInteger THREAD_COUNT = new AtomicInteger();
  private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
      new SynchronousQueue<>(), runnable -> {
        Thread thread = new Thread(runnable, "omnibus-memory-" + THREAD_COUNT.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
  /**
   * One subscription taking part in the queue. Its deliveries run one at a time, in order, on the shared threads
   * (one thread at a time per member), as on a thread of its own.
   */
  public final class Member implements AutoCloseable {
    /** How long a member's drain waits for another delivery before it lets its thread go ({@link #awaitOffer}). */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private final DeliveryHandler handler;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object lock = new Object();
    private ArrayDeque<InMemoryDelivery> pending = new ArrayDeque<>(); // guarded by lock
    /** What a drain works through, swapped with {@link #pending}: only the draining thread touches it. */
    private ArrayDeque<InMemoryDelivery> draining = new ArrayDeque<>();
    /** What the drain's own settlements scheduled to this member while it ran: only the draining thread touches it. */
    private final ArrayDeque<InMemoryDelivery> following = new ArrayDeque<>();
    private boolean scheduled; // guarded by lock
    /** Whether {@link #pending} has deliveries: written under lock, read by a drain waiting for more without it. */
    private volatile boolean offered;
    private volatile @Nullable Thread running;

    private Member(DeliveryHandler handler, String name) {
      this.handler = handler;
      this.name = name;
    }

    private void dispatch(InMemoryDelivery delivery) {
      if (running == Thread.currentThread()) {
        // From this member's own drain: its handler settled a delivery and the lane's next came back to it. Under load
        // that is nearly every delivery, so it goes on the drain's own list, without the lock or a wake-up.
        if (!closed.get()) {
          following.addLast(delivery);
        }
        return;
      }
      synchronized (lock) {
        if (closed.get()) {
          return; // released by leave()
        }
        pending.addLast(delivery);
        offered = true;
        if (scheduled) {
          return;
        }
        scheduled = true;
      }
      THREADS.execute(this::drain);
    }

    /**
     * Runs this member's deliveries in order until none is left; one drain at a time per member. It takes all that is
     * pending at once, so the lock is taken once per batch rather than once per delivery while the publisher adds more.
     */
    private void drain() {
      Thread thread = Thread.currentThread();
      if (thread.getName() != name) {
        // Named after the subscription it runs, and left so while it waits for more: renaming is a system call, and
        // under load a member's drain ends and starts again every few deliveries (renaming back and forth was a
        // fortieth of the consumer's time).
        thread.setName(name);
      }
      running = thread;
      try {
        while (true) {
          if (following.isEmpty() && !offered) {
            awaitOffer();
          }
          synchronized (lock) {
            if (closed.get() || pending.isEmpty() && following.isEmpty()) {
              following.clear(); // when closed: left unsettled, as those in draining
              scheduled = false;
              lock.notifyAll();
              return;
            }
            ArrayDeque<InMemoryDelivery> taken = pending;
            pending = draining;
            draining = taken;
            offered = false;
          }
          // Those handed in by others first, then those the drain scheduled itself: every lane has its turn.
          InMemoryDelivery next;
          while ((next = following.pollFirst()) != null) {
            draining.addLast(next);
          }
          InMemoryDelivery delivery;
          while ((delivery = draining.pollFirst()) != null) {
            if (closed.get()) {
              // Left unsettled: leave() hands what this member held to the others.
              draining.clear();
              break;
            }
            try {
              handler.onDelivery(delivery);
            } catch (RuntimeException e) {
              LOG.error("Delivery handler threw; redelivering", e);
              delivery.nack(true);
            }
          }
        }
      } finally {
        running = null;
      }
    }

    /**
     * Waits up to {@link #SPIN_NANOS} for a delivery, without giving up the core, before the drain ends. A publisher
     * that hands a delivery to a member whose drain has ended wakes a pooled thread for it: parking, the hand-over and
     * the wake-up were a sixth of the in-memory bus's CPU per event under load, when the consumer kept up with the
     * publisher and so ran out of work after every few deliveries. A publishing thread makes its next delivery within a
     * few microseconds, so a short wait keeps the drain going; an idle member still ends its drain and holds no thread.
     */
    private void awaitOffer() {
      long deadline = System.nanoTime() + SPIN_NANOS;
      while (!offered && !closed.get() && System.nanoTime() - deadline < 0) {
        Thread.onSpinWait();
      }
    }

    /** Stops this member: waits for a handler under way (bounded), then releases what it did not settle. */
    @Override
    public void close() {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
      if (Thread.currentThread() != running) {
        // Closed from elsewhere than its own handler: let the delivery under way finish first.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        synchronized (lock) {
          pending.clear();
          while (scheduled) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
              break;
            }
            try {
              lock.wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              break;
            }
          }
        }
      } else {
        synchronized (lock) {
          pending.clear();
        }
      }
      leave(this);
      broker.departed(Queue.this);
    }
  }

  static List<Queue> copy(List<Queue> queues) {
    return new ArrayList<>(queues);
  }
}
