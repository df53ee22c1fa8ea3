package dev.omnibus.mqtt.internal;

import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * One subscription: its own MQTT client (so that manual acknowledgements, the session and a slow handler concern this
 * subscription alone) and one worker thread that calls the handler.
 *
 * <p>Paho's callback thread only appends arrived messages to this subscription's queue, so it is never blocked by a
 * handler (a blocked callback thread stops paho reading the socket, and keep-alive answers with it). The single
 * worker keeps the broker's order per topic; a nacked message goes back to the head of the queue, so it is handled
 * again before anything that arrived after it. The queue is bounded by the Receive Maximum the client announced: the
 * broker sends no more unacknowledged messages than that.
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
      @Nullable Runnable onSettled) {}

  /** How long a leaving member's connection waits for the messages it handed over to be acknowledged. */
  private static final Duration HANDOVER_LIMIT = Duration.ofMinutes(5);

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
  private final Thread worker;

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
    connection.subscribe(filter, qos, timeout);
  }

  @Override
  public void onMessage(MqttConnection.Inbound message) {
    if (closed.get()) {
      return; // not acknowledged: the broker keeps it for the session (group) or forgets it (anonymous)
    }
    queue.addLast(new Item(message, message.duplicate() ? 2 : 1, connection, null));
  }

  @Override
  public void onConnected(boolean reconnect) {
    if (reconnect && !closed.get()) {
      // A clean session lost its subscription with the connection; a persistent one kept it, and subscribing again
      // is harmless there.
      connection.resubscribe(filter, qos);
    }
  }

  @Override
  public void onLost(@Nullable Throwable cause) {
    LOG.info("{}: connection lost ({}); reconnecting", description, cause == null ? "closed by the broker" : cause);
  }

  private void work() {
    while (true) {
      Item item;
      try {
        item = queue.takeFirst();
      } catch (InterruptedException e) {
        return;
      }
      if (item == STOP || closed.get()) {
        return;
      }
      MqttDelivery delivery = new MqttDelivery(item);
      try {
        handler.onDelivery(delivery);
      } catch (RuntimeException | Error e) {
        LOG.warn("{}: the delivery handler threw; the message is delivered again", description, e);
        delivery.nack(true);
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    MqttSubscription sibling = null;
    if (lease != null) {
      Set<MqttSubscription> members = LIVE.get(lease.key());
      if (members != null) {
        members.remove(this);
        sibling = members.stream().filter(member -> !member.closed.get()).findFirst().orElse(null);
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
    List<Item> unhandled = new ArrayList<>(orphans);
    for (Item item : queue) {
      if (item != STOP) {
        unhandled.add(item);
      }
    }
    queue.clear();
    if (sibling == null) {
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
    if (unhandled.isEmpty()) {
      finish();
      return;
    }
    // Mosquitto does not hand a leaving member's unacknowledged messages to the rest of a shared subscription: a
    // member here takes them over, and this connection stays open until they are acknowledged on its session.
    AtomicInteger remaining = new AtomicInteger(unhandled.size());
    AtomicBoolean finished = new AtomicBoolean();
    Runnable finishOnce = () -> {
      if (finished.compareAndSet(false, true)) {
        finish();
      }
    };
    Runnable settled = () -> {
      if (remaining.decrementAndGet() == 0) {
        finishOnce.run();
      }
    };
    LOG.debug("{}: handing {} unacknowledged messages over to another member of the group", description,
        unhandled.size());
    for (Item item : unhandled) {
      sibling.adopt(new Item(item.message(), item.attempt(), item.ackVia(), settled));
    }
    CompletableFuture.delayedExecutor(HANDOVER_LIMIT.toMillis(), TimeUnit.MILLISECONDS).execute(finishOnce);
  }

  private void finish() {
    connection.close(closeTimeout);
    if (lease != null) {
      lease.release(false);
    }
    onClose.run();
  }

  /** Takes over a message another member of the group received but did not handle. */
  private void adopt(Item item) {
    if (closed.get()) {
      orphans.add(item);
    } else {
      queue.addLast(item);
    }
  }

  /** One delivery; the first ack or nack counts. */
  private final class MqttDelivery implements Delivery {
    private final Item item;
    private final MqttConnection.Inbound inbound;
    private final AtomicBoolean settled = new AtomicBoolean();

    MqttDelivery(Item item) {
      this.item = item;
      this.inbound = java.util.Objects.requireNonNull(item.message());
    }

    @Override
    public WireMessage message() {
      return inbound.message();
    }

    @Override
    public int attempt() {
      return item.attempt();
    }

    @Override
    public void ack() {
      if (settled.compareAndSet(false, true)) {
        acknowledge();
      }
    }

    private void acknowledge() {
      java.util.Objects.requireNonNull(item.ackVia()).ack(inbound);
      done();
    }

    private void done() {
      if (item.onSettled() != null) {
        item.onSettled().run();
      }
    }

    @Override
    public void nack(boolean requeue) {
      if (!settled.compareAndSet(false, true)) {
        return;
      }
      int attempt = item.attempt();
      if (!requeue) {
        // The bus dead-lettered it (or gave up): the broker may forget it.
        acknowledge();
      } else if (attempt > maxRedeliveries) {
        // Not acknowledged: a persistent session gets it again when it resumes; nothing more happens in-process.
        LOG.warn("{}: message on '{}' was nacked {} times; left unacknowledged for the broker to deliver again when "
            + "the session resumes", description, inbound.topic(), attempt);
        done();
      } else if (closed.get()) {
        // Closing: handed over to another member, or left to the broker.
        orphans.add(new Item(inbound, attempt + 1, item.ackVia(), item.onSettled()));
      } else {
        // MQTT has no negative acknowledgement: deliver again here, before anything that arrived after it.
        queue.addFirst(new Item(inbound, attempt + 1, item.ackVia(), item.onSettled()));
      }
    }
  }
}
