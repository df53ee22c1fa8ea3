package dev.omnibus.mqtt.internal;

import dev.omnibus.Health;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.Causes;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One group member's subscription: its own MQTT client (so that manual acknowledgements, the session and a slow handler
 * concern this member alone) and one worker thread that calls the handler. Anonymous subscriptions share a client
 * instead ({@link AnonymousSubscriptions}).
 *
 * <p>Paho's callback thread only appends arrived messages to this subscription's queue, so it is never blocked by a
 * handler (a blocked callback thread stops paho reading the socket, and keep-alive answers with it). The single
 * worker keeps the broker's order per topic; a nacked message goes back to the head of the queue, so it is handled
 * again before anything that arrived after it. The queue is bounded by the Receive Maximum the client announced: the
 * broker sends no more unacknowledged messages than that.
 *
 * <p>{@link #health()} follows the client's callbacks: stalled with the reason when its connection is lost, up again
 * once paho has reconnected and the broker granted the subscription again (its SUBACK), closed once closed.
 *
 * <p>Thread-safe.
 */
final class MqttSubscription implements TransportSubscription, MqttConnection.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(MqttSubscription.class);
  private static final Item STOP = new Item(null, 0, null, null);
  /** The live members of each group subscription in this JVM, by {@link GroupMembers.Lease#key()}. */
  private static final Map<String, Set<MqttSubscription>> LIVE = new ConcurrentHashMap<>();

  /**
   * A message to handle. {@code ackVia} is the connection it arrived on (a handed-over message is acknowledged on its
   * original member's session); {@code onSettled} tells a handing-over member that one more of its messages is done.
   */
  private record Item(MqttConnection.@Nullable Inbound message, int attempt, @Nullable MqttConnection ackVia,
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
  private final int qos;
  private final DeliveryHandler handler;
  private final MqttConnection connection;
  private final GroupMembers.@Nullable Lease lease;
  private final int maxRedeliveries;
  private final Duration closeTimeout;
  private final Runnable onClose;
  private final LinkedBlockingDeque<Item> queue = new LinkedBlockingDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Queue<Item> orphans = new ConcurrentLinkedQueue<>();
  private volatile @Nullable Handover handover;
  private final Thread worker;
  private final HealthState health = new HealthState();

  MqttSubscription(String description, String clientId, String filter, int qos, DeliveryHandler handler,
      MqttConnection connection, GroupMembers.@Nullable Lease lease, int maxRedeliveries, Duration closeTimeout,
      Runnable onClose) {
    this.description = description;
    this.filter = filter;
    this.qos = qos;
    this.handler = handler;
    this.connection = connection;
    this.lease = lease;
    this.maxRedeliveries = maxRedeliveries;
    this.closeTimeout = closeTimeout;
    this.onClose = onClose;
    this.worker = new Thread(this::work, "omnibus-mqtt-" + clientId);
    worker.setDaemon(true);
  }

  /**
   * Connects, starts the worker and subscribes; returns once the broker's SUBACK arrived, so a message sent after
   * this returned reaches the subscription. A resumed persistent session may deliver what it kept before that.
   */
  void start(Duration timeout) throws Exception {
    if (lease != null) {
      LIVE.computeIfAbsent(lease.key(), key -> ConcurrentHashMap.newKeySet()).add(this);
    }
    worker.start();
    connection.connect(this);
    connection.subscribe(filter, qos, 0, timeout);
  }

  @Override
  public void onMessage(MqttConnection.Inbound message) {
    Item item = new Item(message, message.duplicate() ? 2 : 1, connection, null);
    if (!closed.get()) {
      queue.addLast(item);
      if (closed.get()) {
        rescueQueued(); // close() may have collected the queue just before this item went in
      }
      return;
    }
    // Sent to this session before it unsubscribed: the member taking over gets it too (or, with no one to take
    // over, it stays unacknowledged on the session, which the broker keeps for a group and forgets when anonymous).
    Handover running = handover;
    if (running != null) {
      running.pass(item);
    } else {
      orphans.add(item);
      passOrphans();
    }
  }

  @Override
  public void onConnected(boolean reconnect) {
    LOG.debug("{}: connected (reconnect: {})", description, reconnect);
    if (reconnect && !closed.get()) {
      // A clean session lost its subscription with the connection; a persistent one kept it, and subscribing again
      // is harmless there.
      connection.resubscribe(filter, qos, 0, failure -> {
        if (failure == null) {
          health.up();
        } else {
          health.lost(Health.State.STALLED, "subscribing again after reconnecting failed: " + Causes.message(failure));
        }
      });
    }
  }

  @Override
  public void onLost(@Nullable Throwable cause) {
    LOG.info("{}: connection lost ({}); reconnecting", description,
        cause == null ? "closed by the broker" : cause.toString());
    if (!closed.get()) {
      health.lost(Health.State.STALLED, "connection lost: " + (cause == null ? "closed by the broker"
          : Causes.message(cause)));
    }
  }

  private void work() {
    while (true) {
      Item item;
      try {
        item = queue.takeFirst();
      } catch (InterruptedException e) {
        return;
      }
      if (item == STOP) {
        return;
      }
      if (closed.get()) {
        orphans.add(item); // taken just as close() began: not handled here, so handed over or left to the broker
        passOrphans();
        return;
      }
      MqttDelivery delivery = new MqttDelivery(item, Objects.requireNonNull(item.message()));
      try {
        handler.onDelivery(delivery);
      } catch (RuntimeException | Error e) {
        LOG.warn("{}: the delivery handler threw; the message is delivered again", description, e);
        delivery.nack(true);
      }
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
    if (lease != null) {
      Set<MqttSubscription> members = LIVE.get(lease.key());
      if (members != null) {
        members.remove(this);
        if (handOver) {
          sibling = members.stream().filter(member -> !member.closed.get()).findFirst().orElse(null);
        }
      }
    }
    queue.addFirst(STOP);
    try {
      // A handler under way may finish (and acknowledge) before the client goes.
      if (Thread.currentThread() != worker) {
        worker.join(closeTimeout.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    moveQueuedToOrphans();
    List<Item> unhandled = new ArrayList<>();
    for (Item item; (item = orphans.poll()) != null; ) {
      unhandled.add(item);
    }
    if (sibling == null) {
      // Messages this member had taken over from another stay unacknowledged on that one's session; tell it so it
      // need not wait for them.
      unhandled.forEach(Item::settled);
      // The last member here: the session stays subscribed, so the broker keeps the group's messages (and these
      // unacknowledged ones) for the next member, who resumes this session.
      connection.close(closeTimeout);
      if (lease != null) {
        lease.release(true);
      }
      onClose.run();
      return;
    }
    // Other members of the group go on: stop the broker routing a share of the messages to this session, which no
    // one would read until a member with this id came back.
    connection.unsubscribe(filter, closeTimeout);
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
        connection.close(closeTimeout);
        if (lease != null) {
          lease.release(abandoned);
        }
        done.countDown();
        onClose.run();
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
    if (closed.get()) {
      orphans.add(item); // closing as well: passed on, or settled as left on the session it arrived on
      passOrphans();
    } else {
      queue.addLast(item);
      if (closed.get()) {
        rescueQueued();
      }
    }
  }

  /** Once closed: what is still queued (the worker has stopped or is stopping) is passed on like the orphans. */
  private void rescueQueued() {
    moveQueuedToOrphans();
    passOrphans();
  }

  private void moveQueuedToOrphans() {
    boolean sawStop = false;
    for (Item item; (item = queue.pollFirst()) != null; ) {
      if (item == STOP) {
        sawStop = true;
      } else {
        orphans.add(item);
      }
    }
    if (sawStop && worker.isAlive()) {
      queue.addFirst(STOP); // the worker has not seen it yet
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
      Objects.requireNonNull(item.ackVia()).ack(inbound);
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
        queue.addFirst(new Item(inbound, attempt + 1, item.ackVia(), item.onSettled()));
      }
    }
  }
}
