package dev.omnibus.mqtt.internal;

import dev.omnibus.TransportClosedException;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.support.Causes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The anonymous subscriptions of one transport, on clean-session connections they share: one connection serves them
 * all, where the protocol lets messages be told apart by subscription, so a thousand subscriptions cost one client
 * (its socket and paho's threads), not a thousand.
 *
 * <p>How a message finds its subscriptions: on MQTT 5 each SUBSCRIBE carries a Subscription Identifier of its own,
 * which the broker puts on every message it sends for that subscription (one copy per matching subscription, or one
 * copy listing them all: both are routed right). Without identifiers (MQTT 3.1.1, or a broker whose CONNACK says it
 * has none), messages are matched against the filters; since a 3.1.1 broker may send a message matching two
 * overlapping filters once or twice, a filter that overlaps another one of a connection gets another connection.
 * Subscriptions to the same filter (and QoS) share one MQTT subscription and each gets every message; the filter is
 * unsubscribed when the last of them closes, and the connection closed when its last subscription goes.
 *
 * <p>The connection acknowledges a message once it is in its subscriptions' queues ({@link AnonymousSubscription}),
 * so no subscription's handler holds the connection's flow control for the others. Handlers run on one pool of the
 * transport, whose threads exist while handlings run: no thread waits for an idle subscription.
 *
 * <p>When the connection is lost, its subscriptions are stalled; once paho reconnected (a new clean session, which
 * lost the subscriptions), every filter is subscribed again with its identifier, and each subscription is up again
 * with its SUBACK.
 *
 * <p>Group subscriptions do not come here: a group member is a persistent session of its own, whose
 * acknowledgements, Receive Maximum and handover concern that member only ({@link MqttSubscription}).
 *
 * <p>Thread-safe.
 */
final class AnonymousSubscriptions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AnonymousSubscriptions.class);
  /** What stock Mosquitto queues for a subscriber beyond its Receive Maximum, before it drops. */
  private static final int BROKER_QUEUE = 1_000;
  /** How long an idle handler thread lingers before it ends. */
  private static final long HANDLER_IDLE_SECONDS = 30;

  private final MqttSettings settings;
  private final Supplier<String> clientIds;
  private final ThreadPoolExecutor handlers;
  private final Object lock = new Object();
  // Guarded by lock.
  private final List<Shared> connections = new ArrayList<>();
  private boolean closed;

  /** @param clientIds a new, unique client id for each shared connection */
  AnonymousSubscriptions(MqttSettings settings, Supplier<String> clientIds) {
    this.settings = settings;
    this.clientIds = clientIds;
    AtomicInteger threads = new AtomicInteger();
    String prefix = "omnibus-mqtt-" + settings.serverName() + "-handler-";
    this.handlers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, HANDLER_IDLE_SECONDS, TimeUnit.SECONDS,
        new SynchronousQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Opens an anonymous subscription and returns once the broker granted its filter (its SUBACK), so a message sent
   * afterwards reaches it.
   *
   * @throws TransportClosedException when the transport closed
   * @throws Exception the client's exception when connecting or subscribing failed, or {@link SubackWait.TimedOut}
   */
  AnonymousSubscription subscribe(String filter, int qos, DeliveryHandler handler, String description)
      throws Exception {
    Shared shared;
    Route route;
    boolean connect = false;
    boolean newRoute = false;
    @Nullable CompletableFuture<Void> unsubscribing = null;
    AnonymousSubscription subscription;
    synchronized (lock) {
      if (closed) {
        throw TransportClosedException.of("MQTT transport for server '" + settings.serverName() + "'");
      }
      shared = connections.stream().filter(candidate -> candidate.accepts(filter, qos)).findFirst().orElse(null);
      if (shared == null) {
        shared = new Shared(clientIds.get());
        connections.add(shared);
        connect = true;
      }
      route = shared.byFilter.get(filter);
      if (route == null) {
        route = new Route(filter, qos, shared.nextId++);
        shared.byFilter.put(filter, route);
        shared.byId.put(route.id, route);
        unsubscribing = shared.unsubscribing.get(filter);
        newRoute = true;
      }
      Shared owner = shared;
      Route own = route;
      subscription = new AnonymousSubscription(description, handler, handlers,
          settings.receiveMaximum() + BROKER_QUEUE, settings.maxRedeliveries(), settings.closeTimeout(),
          closing -> detach(owner, own, closing));
      route.members.add(subscription);
    }
    try {
      if (connect) {
        shared.connect();
      } else {
        await(shared.connected);
      }
      if (!shared.connection.isConnected()) {
        subscription.stalled("connection lost; subscribing once it is back");
      }
      if (newRoute) {
        if (unsubscribing != null) {
          await(unsubscribing); // an UNSUBSCRIBE of this filter still under way must not undo the new SUBSCRIBE
        }
        try {
          shared.connection.subscribe(filter, qos, shared.byIds ? route.id : 0, settings.connectTimeout());
          route.granted.complete(null);
        } catch (Exception e) {
          route.granted.completeExceptionally(e);
          throw e;
        }
      } else {
        await(route.granted);
      }
      return subscription;
    } catch (Exception e) {
      subscription.close();
      throw e;
    }
  }

  /** Waits for another subscriber's connect or SUBACK, at most the connect timeout. */
  private void await(CompletableFuture<Void> step) throws Exception {
    try {
      step.get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new SubackWait.TimedOut(settings.connectTimeout());
    }
  }

  /** Takes a closed subscription off its connection: unsubscribes its filter if it was the last on it. */
  private void detach(Shared shared, Route route, AnonymousSubscription subscription) {
    boolean unsubscribe = false;
    boolean closeConnection = false;
    CompletableFuture<Void> unsubscribed = new CompletableFuture<>();
    synchronized (lock) {
      route.members.remove(subscription);
      if (route.members.isEmpty() && shared.byFilter.get(route.filter) == route) {
        shared.byFilter.remove(route.filter);
        shared.byId.remove(route.id);
        if (shared.byFilter.isEmpty()) {
          connections.remove(shared);
          closeConnection = true;
        } else {
          shared.unsubscribing.put(route.filter, unsubscribed);
          unsubscribe = true;
        }
      }
    }
    if (closeConnection) {
      shared.connection.close(settings.closeTimeout());
    } else if (unsubscribe) {
      try {
        shared.connection.unsubscribe(route.filter, settings.closeTimeout());
      } finally {
        synchronized (lock) {
          shared.unsubscribing.remove(route.filter, unsubscribed);
        }
        unsubscribed.complete(null);
      }
    }
  }

  /** How many connections serve anonymous subscriptions now. */
  int connections() {
    synchronized (lock) {
      return connections.size();
    }
  }

  /** Closes every subscription (waiting for handlers under way, each at most the close timeout) and connection. */
  @Override
  public void close() {
    List<Shared> open;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = List.copyOf(connections);
      connections.clear();
    }
    for (Shared shared : open) {
      for (Route route : shared.byFilter.values()) {
        for (AnonymousSubscription subscription : route.members) {
          subscription.close(false);
        }
      }
      shared.connection.close(settings.closeTimeout());
    }
    handlers.shutdown();
  }

  /** One filter subscribed on a shared connection, and the subscriptions it feeds. */
  private static final class Route {
    final String filter;
    final int qos;
    final int id;
    final List<AnonymousSubscription> members = new CopyOnWriteArrayList<>();
    /** Completed by the SUBACK of the first subscribe; later members wait for it. */
    final CompletableFuture<Void> granted = new CompletableFuture<>();

    Route(String filter, int qos, int id) {
      this.filter = filter;
      this.qos = qos;
      this.id = id;
    }
  }

  /** One clean-session connection and the filters subscribed on it. */
  private final class Shared implements MqttConnection.Listener {
    final MqttConnection connection;
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final Map<String, Route> byFilter = new ConcurrentHashMap<>();
    final Map<Integer, Route> byId = new ConcurrentHashMap<>();
    // Guarded by the outer lock.
    final Map<String, CompletableFuture<Void>> unsubscribing = new ConcurrentHashMap<>();
    int nextId = 1;
    /** Whether messages carry Subscription Identifiers: MQTT 5 unless the CONNACK said otherwise. */
    volatile boolean byIds;

    Shared(String clientId) throws Exception {
      this.connection = MqttTransport.connection(settings, new MqttConnection.Options(clientId, true, 0, true,
          settings.receiveMaximum(), false));
      this.byIds = settings.version().hasProperties();
    }

    /** Connects; called by the subscriber that created this connection, outside the lock. */
    void connect() throws Exception {
      try {
        connection.connect(this);
        byIds = byIds && connection.subscriptionIdentifiers();
        connected.complete(null);
      } catch (Exception e) {
        connected.completeExceptionally(e);
        synchronized (lock) {
          connections.remove(this);
        }
        connection.close(settings.closeTimeout());
        throw e;
      }
    }

    /**
     * Whether a filter can be subscribed here: the same filter at the same QoS joins its route; another QoS of a
     * subscribed filter cannot (one session has one subscription per filter); without identifiers, an overlapping
     * filter cannot either. Called under the lock.
     */
    boolean accepts(String filter, int qos) {
      if (connected.isCompletedExceptionally()) {
        return false;
      }
      Route same = byFilter.get(filter);
      if (same != null) {
        return same.qos == qos;
      }
      return byIds || byFilter.keySet().stream().noneMatch(other -> Topics.overlap(other, filter));
    }

    @Override
    public void onMessage(MqttConnection.Inbound message) {
      List<Integer> ids = message.subscriptionIds();
      if (!ids.isEmpty()) {
        for (Integer id : ids) {
          Route route = byId.get(id);
          if (route != null) {
            route.members.forEach(member -> member.offer(message));
          }
        }
      } else {
        for (Route route : byFilter.values()) {
          if (Topics.matches(route.filter, message.topic())) {
            route.members.forEach(member -> member.offer(message));
          }
        }
      }
      connection.ack(message);
    }

    @Override
    public void onConnected(boolean reconnect) {
      if (!reconnect) {
        return;
      }
      // The clean session lost every subscription with the connection: subscribe each filter again, with its id.
      LOG.debug("Anonymous subscriptions on MQTT server '{}': reconnected, subscribing {} filters again",
          settings.serverName(), byFilter.size());
      for (Route route : byFilter.values()) {
        connection.resubscribe(route.filter, route.qos, byIds ? route.id : 0, failure -> {
          for (AnonymousSubscription member : route.members) {
            if (failure == null) {
              member.up();
            } else {
              member.stalled("subscribing again after reconnecting failed: " + Causes.message(failure));
            }
          }
        });
      }
    }

    @Override
    public void onLost(@Nullable Throwable cause) {
      String reason = "connection lost: " + (cause == null ? "closed by the broker" : Causes.message(cause));
      LOG.info("Anonymous subscriptions on MQTT server '{}': {}; reconnecting", settings.serverName(), reason);
      for (Route route : byFilter.values()) {
        route.members.forEach(member -> member.stalled(reason));
      }
    }
  }
}
