package dev.omnibus.mqtt.internal;

import dev.omnibus.Health;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group member's subscription, on a session it shares with the transport's other group subscriptions
 * ({@link GroupSessions}); its handler is called one message at a time on a thread of the transport's handler pool.
 *
 * <p>Paho's callback thread only appends arrived messages to this subscription's queue, so it is never blocked by a
 * handler (a blocked callback thread stops paho reading the socket, and keep-alive answers with it, for every
 * subscription of the session). One handling at a time keeps the broker's order per topic; a nacked message goes back
 * to the head of the queue, so it is handled again before anything that arrived after it. A message is acknowledged
 * on the session it arrived on once its handler settled it, in any order (brokers track acknowledgements by packet id).
 *
 * <p>{@link #health()} follows the session: stalled with the reason when its connection is lost, up again once paho
 * has reconnected and the broker granted the subscription again (its SUBACK), closed once closed.
 *
 * <p>Thread-safe.
 */
final class MqttSubscription implements TransportSubscription {

  private static final Logger LOG = LoggerFactory.getLogger(MqttSubscription.class);
  /** The live members of each group subscription in this JVM, by {@link GroupMembers.Lease#key()}. */
  private static final Map<String, Set<MqttSubscription>> LIVE = new ConcurrentHashMap<>();

  /** What a subscription does to the session it shares when it closes (see {@link GroupSessions}). */
  interface Seat {
    /**
     * The last member of its filter here: its filter stays subscribed for the next member ({@code linger}: a while),
     * who gets the messages this one left unacknowledged.
     */
    void park(MqttSubscription subscription, List<MqttConnection.Inbound> unacknowledged, boolean linger);

    /** Another member takes over: unsubscribes the filter; late arrivals still come to the closed subscription. */
    void leave();

    /** The handover is over: the session forgets the subscription. */
    void release(MqttSubscription subscription);
  }

  /**
   * A message to handle. {@code ackVia} is the connection it arrived on (a handed-over message is acknowledged on its
   * original member's session); {@code onSettled} tells a handing-over member that one more of its messages is done.
   */
  private record Item(MqttConnection.Inbound message, int attempt, MqttConnection ackVia,
      @Nullable Runnable onSettled) {

    /** Tells a handing-over member this message is done with here. */
    void settled() {
      if (onSettled != null) {
        onSettled.run();
      }
    }
  }

  /** How long a leaving member's connection waits for the messages it handed over to be acknowledged. */
  private static final Duration HANDOVER_LIMIT = Duration.ofMinutes(2);

  private final String description;
  private final String filter;
  private final DeliveryHandler handler;
  private final MqttConnection connection;
  private final Seat seat;
  private final GroupMembers.Lease lease;
  private final Executor handlers;
  private final int maxRedeliveries;
  private final Duration closeTimeout;
  private final Consumer<MqttSubscription> onClose;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Queue<Item> orphans = new ConcurrentLinkedQueue<>();
  private volatile @Nullable Handover handover;
  private final HealthState health = new HealthState();
  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private boolean scheduled;
  private @Nullable Thread handling;

  /**
   * @param connection the session's connection, on which this subscription's messages are acknowledged
   * @param handlers where handlings run; one at a time for this subscription
   * @param onClose called once when the subscription is done with its session
   */
  MqttSubscription(String description, String clientId, String filter, int qos, DeliveryHandler handler,
      MqttConnection connection, Seat seat, GroupMembers.Lease lease, Executor handlers, int maxRedeliveries,
      Duration closeTimeout, Consumer<MqttSubscription> onClose) {
    this.description = description;
    this.filter = filter;
    this.handler = handler;
    this.connection = connection;
    this.seat = seat;
    this.lease = lease;
    this.handlers = handlers;
    this.maxRedeliveries = maxRedeliveries;
    this.closeTimeout = closeTimeout;
    this.onClose = onClose;
  }

  /** Counts this subscription among the live members of its group subscription, for handovers. */
  void register() {
    LIVE.computeIfAbsent(lease.key(), key -> ConcurrentHashMap.newKeySet()).add(this);
  }

  /** A message for this subscription arrived (on paho's callback thread, which must not block). */
  void onMessage(MqttConnection.Inbound message) {
    Item item = new Item(message, message.duplicate() ? 2 : 1, connection, null);
    if (enqueue(item, false)) {
      return;
    }
    // Sent to this session before it unsubscribed: the member taking over gets it too (or, with no one to take
    // over, it stays unacknowledged on the session, which the broker keeps for a group).
    Handover running = handover;
    if (running != null) {
      running.pass(item);
    } else {
      orphans.add(item);
      passOrphans();
    }
  }

  /** Queues an item and starts a handling if none runs; false when closed (nothing queued). */
  private boolean enqueue(Item item, boolean first) {
    synchronized (lock) {
      if (closed.get()) {
        return false;
      }
      if (first) {
        queue.addFirst(item);
      } else {
        queue.addLast(item);
      }
      if (scheduled) {
        return true;
      }
      scheduled = true;
    }
    try {
      handlers.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // The transport is closing: nothing more is handled; close() collects the queue.
      synchronized (lock) {
        scheduled = false;
      }
    }
    return true;
  }

  /** Handles what is queued, one at a time, until the queue is empty or the subscription closed. */
  private void drain() {
    while (true) {
      Item item;
      synchronized (lock) {
        item = closed.get() ? null : queue.pollFirst();
        if (item == null) {
          scheduled = false;
          handling = null;
          lock.notifyAll();
          return;
        }
        handling = Thread.currentThread();
      }
      MqttDelivery delivery = new MqttDelivery(item, item.message());
      try {
        handler.onDelivery(delivery);
      } catch (RuntimeException | Error e) {
        LOG.warn("{}: the delivery handler threw; the message is delivered again", description, e);
        delivery.nack(true);
      }
    }
  }

  /** The broker granted this subscription (again). */
  void up() {
    if (!closed.get()) {
      health.up();
    }
  }

  /** The session's connection was lost, or subscribing again failed. */
  void stalled(String reason) {
    if (!closed.get()) {
      health.lost(Health.State.STALLED, reason);
    }
  }

  @Override
  public Health.Status health() {
    return health.get();
  }

  /** Closes; a member of a group hands what it did not handle to another member in this JVM, if there is one. */
  @Override
  public void close() {
    close(true);
  }

  /**
   * Closes. With {@code handOver} false (the whole transport closes) nothing is handed over, and a handover still
   * waiting for acknowledgements gets at most the close timeout more; then its messages stay unacknowledged on this
   * member's session, which the next member to join resumes.
   */
  void close(boolean handOver) {
    if (!closed.compareAndSet(false, true)) {
      Handover running = handover;
      if (!handOver && running != null) {
        running.awaitOrAbandon(closeTimeout);
      }
      return;
    }
    health.closed();
    MqttSubscription sibling = null;
    Set<MqttSubscription> members = LIVE.get(lease.key());
    if (members != null) {
      members.remove(this);
      if (handOver) {
        sibling = members.stream().filter(member -> !member.closed.get()).findFirst().orElse(null);
      }
    }
    List<Item> unhandled = new ArrayList<>();
    synchronized (lock) {
      // A handler under way may finish (and acknowledge) before the subscription goes.
      long deadline = System.nanoTime() + closeTimeout.toNanos();
      while (handling != null && handling != Thread.currentThread()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("{}: the handler under way did not finish within the close timeout ({} ms)", description,
              closeTimeout.toMillis());
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      unhandled.addAll(queue);
      queue.clear();
    }
    for (Item item; (item = orphans.poll()) != null; ) {
      unhandled.add(item);
    }
    if (sibling == null) {
      // The last member here: the filter stays subscribed on the session, so the broker keeps the group's messages
      // for the next member, who resumes this session. This member's unacknowledged messages wait for that member
      // (on the session, or held here while the session serves others); those it had taken over from another member
      // stay unacknowledged on that one's session: tell it so it need not wait for them.
      List<MqttConnection.Inbound> own = new ArrayList<>();
      for (Item item : unhandled) {
        if (item.ackVia() == connection && item.onSettled() == null) {
          own.add(item.message());
        } else {
          item.settled();
        }
      }
      seat.park(this, own, handOver);
      lease.release(true);
      onClose.accept(this);
      return;
    }
    // Other members of the group go on: stop the broker routing a share of the messages to this session, which no
    // one would read until a member with this id came back.
    seat.leave();
    // Mosquitto does not hand a leaving member's unacknowledged messages to the rest of a shared subscription: a
    // member here takes them over, and this connection stays open until they are acknowledged on its session.
    Handover started = new Handover(sibling);
    handover = started;
    if (!unhandled.isEmpty()) {
      LOG.debug("{}: handing {} unacknowledged messages over to another member of the group", description,
          unhandled.size());
    }
    for (Item item : unhandled) {
      started.pass(item);
    }
    passOrphans();
    started.ready();
  }

  /**
   * Messages a leaving member passed to another member. Counts those arrived on this member's connection; when all
   * are settled (or after {@link #HANDOVER_LIMIT}, or when the transport closes) the connection closes.
   */
  private final class Handover {
    private final MqttSubscription sibling;
    // One extra count until ready(): the connection must not close while messages are still being passed.
    private final AtomicInteger open = new AtomicInteger(1);
    private final AtomicBoolean finished = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    Handover(MqttSubscription sibling) {
      this.sibling = sibling;
    }

    void pass(Item item) {
      if (item.ackVia() == connection) {
        open.incrementAndGet();
        // Another member's delivery: a redelivery (2) to it, whatever this member's count was. Nacks while this
        // member's consumer was stopping must not make the other member dead-letter what nobody handled.
        sibling.adopt(new Item(item.message(), 2, connection, this::settled));
      } else {
        sibling.adopt(item); // taken over from a third member: it keeps counting its own
      }
    }

    void ready() {
      settled();
      if (!finished.get()) {
        CompletableFuture.delayedExecutor(HANDOVER_LIMIT.toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> finish(true));
      }
    }

    private void settled() {
      if (open.decrementAndGet() == 0) {
        finish(false);
      }
    }

    void awaitOrAbandon(Duration timeout) {
      try {
        done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      finish(true);
    }

    /** Closes the connection; {@code abandoned}: messages are still unacknowledged on the session, park it. */
    private void finish(boolean abandoned) {
      if (finished.compareAndSet(false, true)) {
        seat.release(MqttSubscription.this);
        lease.release(abandoned);
        done.countDown();
        onClose.accept(MqttSubscription.this);
      }
    }
  }

  private void passOrphans() {
    Handover running = handover;
    if (running != null) {
      for (Item item; (item = orphans.poll()) != null; ) {
        running.pass(item);
      }
    }
  }

  /** Takes over a message another member of the group received but did not handle. */
  private void adopt(Item item) {
    if (!enqueue(item, false)) {
      orphans.add(item); // closing as well: passed on, or settled as left on the session it arrived on
      passOrphans();
    }
  }

  /** One delivery; the first ack or nack counts. */
  private final class MqttDelivery extends SettleOnceDelivery {
    private final Item item;
    private final MqttConnection.Inbound inbound;

    MqttDelivery(Item item, MqttConnection.Inbound inbound) {
      super(inbound.message(), item.attempt());
      this.item = item;
      this.inbound = inbound;
    }

    @Override
    protected void onAck() {
      acknowledge();
    }

    private void acknowledge() {
      item.ackVia().ack(inbound);
      done();
    }

    private void done() {
      item.settled();
    }

    @Override
    protected void onNack(boolean requeue) {
      int attempt = item.attempt();
      if (!requeue) {
        // The bus dead-lettered it (or gave up): the broker may forget it.
        acknowledge();
      } else if (closed.get()) {
        // Closing: handed over to another member, or left to the broker. Both sides look again after publishing
        // their state, so an item is never stranded between close() collecting and the handover starting.
        Item again = new Item(inbound, attempt + 1, item.ackVia(), item.onSettled());
        Handover running = handover;
        if (running != null) {
          running.pass(again);
        } else {
          orphans.add(again);
          passOrphans();
        }
      } else if (attempt > maxRedeliveries) {
        // Not acknowledged and not delivered here again: kept aside, handed to another member when this one leaves,
        // and in any case left on the session, which delivers it again when it resumes.
        LOG.warn("{}: message on '{}' was nacked {} times; left unacknowledged for another member or for the broker to "
            + "deliver again when the session resumes", description, inbound.topic(), attempt);
        orphans.add(new Item(inbound, attempt, item.ackVia(), item.onSettled()));
        passOrphans();
      } else {
        // MQTT has no negative acknowledgement: deliver again here, before anything that arrived after it.
        Item again = new Item(inbound, attempt + 1, item.ackVia(), item.onSettled());
        if (!enqueue(again, true)) {
          orphans.add(again); // closed meanwhile
          passOrphans();
        }
      }
    }
  }
}
