package dev.omnibus.mqtt.internal;

import dev.omnibus.TransportClosedException;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.support.Causes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group subscriptions of one transport, on sessions they share: a group's subscriptions are spread over at most
 * {@code x-omnibus-group-sessions} ({@link #SLOTS} by default) sessions per member index, by a stable function of their
 * filter, so a thousand subscriptions of one
 * group cost four clients (their sockets and paho's threads), not a thousand, and a restarted service presents the
 * same client ids and resumes the sessions that hold its subscriptions and their unacknowledged messages.
 *
 * <p>Client ids: {@code <base>-<group>-<member>-<slot>}, where {@code member} is the subscription's index among the
 * members of its (group, filter) in this JVM ({@link GroupMembers}: one session holds one subscription per filter, so
 * two members of one filter need two sessions) and {@code slot} a hash of the filter modulo that number (0: every filter has the session of its own below). A filter
 * that cannot join its slot's session (on MQTT 3.1.1 it overlaps a filter there, or its Subscription Identifier
 * collides with one there) gets a session of its own, {@code <base>-<group>-<hash(filter)>-<member>}, the id every
 * member had before sessions were shared.
 *
 * <p>Routing: on MQTT 5 each filter's SUBSCRIBE carries a Subscription Identifier derived from the filter (stable, so
 * that messages a resumed session kept from before a restart still name the right filter); without identifiers
 * (MQTT 3.1.1) a message goes to the one filter of the session it matches. A message for a filter no subscription
 * here holds (a resumed session delivering what it kept before the subscription is made again) is held,
 * unacknowledged, until one does.
 *
 * <p>Acknowledgement stays after handling (at least once): each subscription acknowledges its messages on the session
 * they came on when its handler settled them. The broker's Receive Maximum (and Mosquitto's per-client
 * {@code max_inflight_messages} on MQTT 3.1.1) therefore counts the unacknowledged messages of every subscription on
 * a session: a handler that holds many messages holds back its session's neighbours, which is why there are
 * {@link #SLOTS} sessions and not one. HiveMQ goes further: it sends a client the next batch of shared-subscription
 * messages only once the previous one is all acknowledged, so one held message holds back the whole session.
 *
 * <p>Handlers run on one pool of the transport, one message at a time per subscription ({@link MqttSubscription}).
 *
 * <p>Thread-safe.
 */
final class GroupSessions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GroupSessions.class);
  /** How many sessions one member index of a group spreads its filters over by default. Changing it moves filters. */
  static final int SLOTS = 4;
  /** The largest Subscription Identifier (a variable byte integer). */
  private static final int MAX_SUBSCRIPTION_ID = 268_435_455;
  /** How long an idle handler thread lingers before it ends. */
  private static final long HANDLER_IDLE_SECONDS = 30;
  /**
   * How long a filter parked on a session that serves other subscriptions stays subscribed: long enough for a closing
   * bus to close them all (the session then parks with every filter subscribed), short enough not to hold the
   * neighbours' in-flight room with messages nobody handles.
   */
  private static final Duration PARKED_LINGER = Duration.ofSeconds(30);
  /**
   * How long a message for no filter of its session waits for a subscription to claim it: a restarted service
   * subscribes its channels within it, while its resumed sessions deliver what they kept. Then it is acknowledged
   * and dropped with a warning, since it holds the broker's in-flight room of every subscription of the session.
   */
  private static final Duration CLAIM_WINDOW = Duration.ofSeconds(60);

  private final MqttSettings settings;
  private final String clientIdBase;
  private final Supplier<String> randomSuffix;
  private final ThreadPoolExecutor handlers;
  /**
   * Sessions whose connection is closing, by server URI and client id, in this JVM: a session of the same id (of this
   * transport, or of a bus opened right after this one closed) connects only once it is gone, or the two connections
   * would take the session from each other while paho reconnects the closing one.
   */
  private static final Map<String, CompletableFuture<Void>> CLOSING = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<String, Session> sessions = new HashMap<>();
  /** This transport's sessions closing now (see {@link #CLOSING}). */
  private final List<CompletableFuture<Void>> closings = new ArrayList<>();
  private boolean closed;

  /**
   * @param clientIdBase the base of the sessions' client ids
   * @param randomSuffix a new random suffix for each client id of a clean session (no session to resume)
   */
  GroupSessions(MqttSettings settings, String clientIdBase, Supplier<String> randomSuffix) {
    this.settings = settings;
    this.clientIdBase = clientIdBase;
    this.randomSuffix = randomSuffix;
    AtomicInteger threads = new AtomicInteger();
    String prefix = "omnibus-mqtt-" + settings.serverName() + "-group-handler-";
    this.handlers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, HANDLER_IDLE_SECONDS, TimeUnit.SECONDS,
        new SynchronousQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Opens a member of a group subscription and returns once the broker granted its filter (its SUBACK), so a message
   * sent afterwards reaches the group. A resumed session may deliver what it kept before that.
   *
   * @param onClose called once when the subscription is done with its session
   * @throws TransportClosedException when the transport closed
   * @throws Exception the client's exception when connecting or subscribing failed, or {@link SubackWait.TimedOut}
   */
  MqttSubscription subscribe(String group, String filter, int qos, DeliveryHandler handler,
      Consumer<MqttSubscription> onClose) throws Exception {
    boolean persistent = settings.persistentGroups();
    // Stable per (server, group, filter, member): a restarted member resumes its session and gets what it missed.
    GroupMembers.Lease lease = GroupMembers.lease(settings.uri() + "|" + clientIdBase + "|" + filter,
        settings.uri() + "|" + clientIdBase + "|" + group, this);
    String plain = Topics.unshared(filter);
    int id = subscriptionId(filter);
    Session session;
    Route route;
    boolean connect = false;
    @Nullable CompletableFuture<Void> previous = null;
    @Nullable CompletableFuture<Void> unsubscribing;
    MqttSubscription subscription;
    synchronized (lock) {
      if (closed) {
        lease.release(false);
        throw TransportClosedException.of("MQTT transport for server '" + settings.serverName() + "'");
      }
      String prefix = clientIdBase + "-" + sanitize(group, 32) + "-";
      String own = prefix + hash(filter) + "-" + lease.index();
      String pooled = settings.groupSessions() == 0 ? own
          : prefix + lease.index() + "-" + Math.floorMod(hash(filter).hashCode(), settings.groupSessions());
      session = sessions.get(pooled);
      if (session != null && !session.accepts(filter, plain, qos, id)) {
        pooled = own;
        session = sessions.get(pooled);
      }
      if (session == null) {
        String clientId = persistent ? pooled : clientIdBase + "-" + randomSuffix.get();
        session = new Session(pooled, clientId, group, persistent);
        sessions.put(pooled, session);
        previous = CLOSING.get(settings.uri() + "|" + clientId);
        connect = true;
      }
      route = session.byFilter.get(filter);
      if (route == null) {
        route = new Route(filter, plain, qos, id);
        session.byFilter.put(filter, route);
      }
      unsubscribing = session.unsubscribing.get(filter);
      Session owner = session;
      String description = "MQTT subscription to '" + filter + "' on server '" + settings.serverName() + "' ("
          + session.clientId + ")";
      subscription = new MqttSubscription(description, session.clientId, filter, qos, handler, owner.connection,
          owner.new Seat(route), lease, handlers, settings.maxRedeliveries(), settings.closeTimeout(), onClose);
      session.seat(route, subscription);
      subscription.register();
    }
    try {
      if (connect) {
        if (previous != null) {
          await(previous); // the same client id closing: connecting now would take its session over mid-close
        }
        session.connect();
      } else {
        await(session.connected);
      }
      if (!session.connection.isConnected()) {
        subscription.stalled("connection lost; subscribing once it is back");
      }
      if (unsubscribing != null) {
        await(unsubscribing); // an UNSUBSCRIBE of this filter still under way must not undo the new SUBSCRIBE
      }
      // Also for a filter parked on the session: subscribing again is harmless, and it may have been left meanwhile.
      session.connection.subscribe(filter, qos, session.byIds ? id : 0, settings.connectTimeout());
      subscription.up();
      return subscription;
    } catch (Exception e) {
      subscription.close(false);
      session.abandon(route);
      throw e;
    }
  }

  /** Waits for another subscriber's connect or an UNSUBSCRIBE, at most the connect timeout. */
  private void await(CompletableFuture<Void> step) throws Exception {
    try {
      step.get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      throw new SubackWait.TimedOut(settings.connectTimeout());
    }
  }

  /** How many connections serve this transport's group subscriptions now. */
  int connections() {
    synchronized (lock) {
      return sessions.size();
    }
  }

  /** The client ids of the sessions open now. */
  Set<String> clientIds() {
    synchronized (lock) {
      return sessions.values().stream().map(session -> session.clientId).collect(Collectors.toSet());
    }
  }

  /**
   * Closes every session's connection (their filters stay subscribed on the broker's sessions, parked for the next
   * member) and the handler pool; the subscriptions are closed by the transport before.
   */
  @Override
  public void close() {
    List<Session> open;
    List<CompletableFuture<Void>> closingNow;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      open = List.copyOf(sessions.values());
      sessions.clear();
      closingNow = List.copyOf(closings);
    }
    for (Session session : open) {
      session.connection.close(settings.closeTimeout());
    }
    // Those closed by their last subscription's close, on another thread: done before the transport says it closed.
    for (CompletableFuture<Void> closing : closingNow) {
      try {
        await(closing);
      } catch (Exception e) {
        LOG.debug("An MQTT group session on server '{}' did not close within {}", settings.serverName(),
            settings.connectTimeout());
      }
    }
    handlers.shutdown();
  }

  /**
   * A Subscription Identifier derived from the filter alone, 1 to {@link #MAX_SUBSCRIPTION_ID}: a persistent session
   * keeps the identifier of each subscription, and the messages it kept from before a restart carry it.
   */
  static int subscriptionId(String filter) {
    return Math.floorMod(Integer.parseUnsignedInt(hash(filter), 16), MAX_SUBSCRIPTION_ID) + 1;
  }

  static String sanitize(String text, int maxLength) {
    String clean = text.replaceAll("[^A-Za-z0-9_.-]", "_");
    return clean.length() <= maxLength ? clean : clean.substring(0, maxLength);
  }

  /** Eight hex digits of the SHA-256 of the text. */
  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      return String.format("%08x", text.hashCode());
    }
  }

  /** One filter on a session, and the subscription it feeds (none while parked). */
  private static final class Route {
    final String filter;
    final String plain;
    final int qos;
    final int id;
    /** The live member, or a closed one still passing late arrivals on to the member it handed over to. */
    @Nullable MqttSubscription owner;
    /** Arrived while parked (no owner): unacknowledged, for the next member of this filter here. */
    final List<MqttConnection.Inbound> held = new ArrayList<>();
    /** Counts parkings, so a linger timer of an earlier parking does nothing. */
    int parkings;

    Route(String filter, String plain, int qos, int id) {
      this.filter = filter;
      this.plain = plain;
      this.qos = qos;
      this.id = id;
    }
  }

  /** A message for no filter of its session, since when. */
  private record Unclaimed(MqttConnection.Inbound message, long since) {}

  /** One connection (a persistent session, or a clean one with {@code cleanSession: true}) and its filters. */
  final class Session implements MqttConnection.Listener {
    final String key;
    final String clientId;
    final MqttConnection connection;
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    // Guarded by the outer lock.
    final Map<String, Route> byFilter = new HashMap<>();
    /** Messages for no filter of this session yet: unacknowledged, for the subscription that comes to claim them. */
    final List<Unclaimed> unclaimed = new ArrayList<>();
    /** Whether a sweep of unclaimed messages is scheduled. */
    boolean sweeping;
    /** UNSUBSCRIBEs under way, by filter: a SUBSCRIBE of the same filter waits for its end. */
    final Map<String, CompletableFuture<Void>> unsubscribing = new HashMap<>();
    boolean warnedUnclaimed;
    /** Whether messages carry Subscription Identifiers: MQTT 5 unless the CONNACK said otherwise. */
    volatile boolean byIds;

    final String group;

    Session(String key, String clientId, String group, boolean persistent) throws Exception {
      this.key = key;
      this.clientId = clientId;
      this.group = group;
      this.connection = MqttTransport.connection(settings, new MqttConnection.Options(clientId, !persistent,
          persistent ? settings.sessionExpirySeconds() : 0, true, settings.receiveMaximum(), false));
      this.byIds = settings.version().hasProperties();
    }

    /** Connects; called by the subscriber that created this session, outside the lock. */
    void connect() throws Exception {
      try {
        connection.connect(this);
        byIds = byIds && connection.subscriptionIdentifiers();
        connected.complete(null);
      } catch (Exception e) {
        connected.completeExceptionally(e);
        synchronized (lock) {
          sessions.remove(key, this);
        }
        connection.close(settings.closeTimeout());
        throw e;
      }
    }

    /**
     * Whether a filter can join this session: a filter parked here at the same QoS takes its place again; a filter
     * with a live member here cannot (one subscription per filter and session); nor, with identifiers, one whose
     * identifier another filter here has, nor, without, one that overlaps a filter here. Called under the lock.
     */
    boolean accepts(String filter, String plain, int qos, int id) {
      if (connected.isCompletedExceptionally()) {
        return false;
      }
      Route same = byFilter.get(filter);
      if (same != null) {
        return same.owner == null && same.qos == qos;
      }
      for (Route other : byFilter.values()) {
        if (byIds ? other.id == id : Topics.overlap(other.plain, plain)) {
          return false;
        }
      }
      return true;
    }

    /** Gives a route its member, with what was held for it. Called under the lock. */
    void seat(Route route, MqttSubscription subscription) {
      route.owner = subscription;
      route.parkings++;
      for (MqttConnection.Inbound message : route.held) {
        subscription.onMessage(message);
      }
      route.held.clear();
      for (Iterator<Unclaimed> it = unclaimed.iterator(); it.hasNext(); ) {
        MqttConnection.Inbound message = it.next().message();
        if (matches(route, message)) {
          it.remove();
          subscription.onMessage(message);
        }
      }
    }

    /** A subscribe failed: its filter goes unless a member or held messages keep it. */
    void abandon(Route route) {
      synchronized (lock) {
        if (route.owner == null && route.held.isEmpty() && byFilter.get(route.filter) == route) {
          byFilter.remove(route.filter);
        }
      }
    }

    private boolean matches(Route route, MqttConnection.Inbound message) {
      List<Integer> ids = message.subscriptionIds();
      return ids.isEmpty() ? Topics.matches(route.plain, message.topic())
          : ids.contains(route.id) && Topics.matches(route.plain, message.topic());
    }

    private @Nullable Route route(MqttConnection.Inbound message) {
      List<Integer> ids = message.subscriptionIds();
      for (Route route : byFilter.values()) {
        if (ids.isEmpty() ? Topics.matches(route.plain, message.topic()) : matches(route, message)) {
          return route;
        }
      }
      return null;
    }

    @Override
    public void onMessage(MqttConnection.Inbound message) {
      synchronized (lock) {
        Route route = route(message);
        if (route == null) {
          if (!warnedUnclaimed) {
            warnedUnclaimed = true;
            LOG.info("MQTT session {} on server '{}': a message on '{}' for a filter no subscription holds yet; "
                + "kept unacknowledged until one does", clientId, settings.serverName(), message.topic());
          }
          unclaim(List.of(message));
        } else if (route.owner == null) {
          route.held.add(message);
        } else {
          route.owner.onMessage(message);
        }
      }
    }

    /** Keeps messages for no filter here, for {@link #CLAIM_WINDOW}. Called under the lock. */
    private void unclaim(List<MqttConnection.Inbound> messages) {
      long now = System.nanoTime();
      messages.forEach(message -> unclaimed.add(new Unclaimed(message, now)));
      if (!sweeping && !unclaimed.isEmpty()) {
        sweeping = true;
        CompletableFuture.delayedExecutor(CLAIM_WINDOW.toMillis(), TimeUnit.MILLISECONDS).execute(this::sweep);
      }
    }

    /**
     * Drops the messages no subscription claimed within {@link #CLAIM_WINDOW}: acknowledged, so they no longer hold
     * the session's in-flight room, and their filter, if it is the topic itself, unsubscribed, so that the group's
     * other members get what comes for it (a resumed session may hold a subscription this bus no longer makes).
     */
    private void sweep() {
      List<MqttConnection.Inbound> expired = new ArrayList<>();
      List<String> stale = new ArrayList<>();
      synchronized (lock) {
        sweeping = false;
        if (sessions.get(key) != this) {
          // Closed: what it held goes back to the broker with the session.
          unclaimed.clear();
          return;
        }
        long oldest = System.nanoTime() - CLAIM_WINDOW.toNanos();
        for (Iterator<Unclaimed> it = unclaimed.iterator(); it.hasNext(); ) {
          Unclaimed one = it.next();
          if (one.since() - oldest <= 0) {
            it.remove();
            expired.add(one.message());
            String filter = "$share/" + group + "/" + one.message().topic();
            if (!byFilter.containsKey(filter) && !stale.contains(filter)) {
              stale.add(filter);
            }
          }
        }
        if (!unclaimed.isEmpty() && sessions.get(key) == this) {
          sweeping = true;
          CompletableFuture.delayedExecutor(CLAIM_WINDOW.toMillis(), TimeUnit.MILLISECONDS).execute(this::sweep);
        }
      }
      if (expired.isEmpty()) {
        return;
      }
      LOG.warn("MQTT session {} on server '{}': {} messages for no subscription of this bus within {} s (topics {}); "
          + "acknowledged and dropped, so they do not hold back the session's other subscriptions. The session was "
          + "resumed with a subscription the bus no longer makes, or a group subscription closed while its session "
          + "served others", clientId, settings.serverName(), expired.size(), CLAIM_WINDOW.toSeconds(),
          stale.stream().limit(10).toList());
      try {
        expired.forEach(connection::ack);
        for (String filter : stale) {
          connection.unsubscribe(filter, settings.closeTimeout());
        }
      } catch (RuntimeException e) {
        // Closed meanwhile: the broker delivers them again when the session resumes.
        LOG.debug("MQTT session {}: dropping unclaimed messages failed: {}", clientId, e.toString());
      }
    }

    @Override
    public void onConnected(boolean reconnect) {
      if (!reconnect) {
        return;
      }
      List<Route> routes;
      synchronized (lock) {
        routes = List.copyOf(byFilter.values());
      }
      // A persistent session kept its subscriptions, but Mosquitto does not keep shared ones across its restart, and a
      // clean session lost them: subscribing again is harmless where they were kept.
      LOG.debug("MQTT group session {} on server '{}': reconnected, subscribing {} filters again", clientId,
          settings.serverName(), routes.size());
      for (Route route : routes) {
        connection.resubscribe(route.filter, route.qos, byIds ? route.id : 0, failure -> {
          MqttSubscription owner;
          synchronized (lock) {
            owner = route.owner;
          }
          if (owner == null) {
            return;
          }
          if (failure == null) {
            owner.up();
          } else {
            owner.stalled("subscribing again after reconnecting failed: " + Causes.message(failure));
          }
        });
      }
    }

    @Override
    public void onLost(@Nullable Throwable cause) {
      String reason = "connection lost: " + (cause == null ? "closed by the broker" : Causes.message(cause));
      LOG.info("MQTT group session {} on server '{}': {}; reconnecting", clientId, settings.serverName(), reason);
      List<MqttSubscription> owners = new ArrayList<>();
      synchronized (lock) {
        for (Route route : byFilter.values()) {
          if (route.owner != null) {
            owners.add(route.owner);
          }
        }
      }
      owners.forEach(owner -> owner.stalled(reason));
    }

    /** Closes the connection once no filter has a member or a handover (called under the lock); true if it did. */
    private boolean closeIfIdle() {
      if (byFilter.values().stream().anyMatch(route -> route.owner != null)) {
        return false;
      }
      if (sessions.get(key) == this) {
        sessions.remove(key);
      }
      CompletableFuture<Void> done = new CompletableFuture<>();
      String closingKey = settings.uri() + "|" + clientId;
      CLOSING.put(closingKey, done);
      closings.add(done);
      // Outside the caller's lock: closing waits for the broker.
      CompletableFuture.runAsync(() -> {
        try {
          connection.close(settings.closeTimeout());
        } finally {
          CLOSING.remove(closingKey, done);
          synchronized (lock) {
            closings.remove(done);
          }
          done.complete(null);
        }
      });
      return true;
    }

    /** A subscription's place on this session: what it does to the session when it leaves. */
    final class Seat implements MqttSubscription.Seat {
      private final Route route;

      Seat(Route route) {
        this.route = route;
      }

      /**
       * The last member of its filter in this JVM closed: its filter stays subscribed, so the broker keeps the
       * group's messages for the next member. Alone on the session, the connection closes (the session parks);
       * else what arrives meanwhile is held unacknowledged for the next member here, and, with {@code linger}, the
       * filter is unsubscribed after {@link #PARKED_LINGER} if none came (the neighbours' in-flight room).
       */
      @Override
      public void park(MqttSubscription subscription, List<MqttConnection.Inbound> unacknowledged, boolean linger) {
        int parking;
        synchronized (lock) {
          if (route.owner != subscription) {
            return;
          }
          route.owner = null;
          route.held.addAll(0, unacknowledged);
          parking = ++route.parkings;
          if (byFilter.get(route.filter) != route || closeIfIdle() || !linger) {
            return;
          }
        }
        CompletableFuture.delayedExecutor(PARKED_LINGER.toMillis(), TimeUnit.MILLISECONDS)
            .execute(() -> leaveIfStillParked(parking));
      }

      private void leaveIfStillParked(int parking) {
        CompletableFuture<Void> unsubscribed = new CompletableFuture<>();
        synchronized (lock) {
          if (route.owner != null || route.parkings != parking || byFilter.get(route.filter) != route
              || sessions.get(key) != Session.this) {
            return;
          }
          LOG.info("MQTT session {} on server '{}': no member of '{}' came back within {} s; unsubscribing it, so "
              + "the group's other members get its messages", clientId, settings.serverName(), route.filter,
              PARKED_LINGER.toSeconds());
          byFilter.remove(route.filter);
          unclaim(route.held);
          route.held.clear();
          unsubscribing.put(route.filter, unsubscribed);
        }
        unsubscribe(unsubscribed);
      }

      /**
       * Another member of the filter goes on in this JVM: the broker stops routing a share of the group's messages
       * to this session. Those still arriving go to the closed subscription, which passes them on, until
       * {@link #release}.
       */
      @Override
      public void leave() {
        CompletableFuture<Void> unsubscribed = new CompletableFuture<>();
        synchronized (lock) {
          unsubscribing.put(route.filter, unsubscribed);
        }
        unsubscribe(unsubscribed);
      }

      private void unsubscribe(CompletableFuture<Void> unsubscribed) {
        try {
          connection.unsubscribe(route.filter, settings.closeTimeout());
        } finally {
          synchronized (lock) {
            unsubscribing.remove(route.filter, unsubscribed);
          }
          unsubscribed.complete(null);
        }
      }

      /** The handover of a member that left is over: its filter goes from the session, and the session if idle. */
      @Override
      public void release(MqttSubscription subscription) {
        synchronized (lock) {
          if (route.owner != subscription) {
            return;
          }
          route.owner = null;
          if (byFilter.get(route.filter) == route) {
            byFilter.remove(route.filter);
            unclaim(route.held);
            route.held.clear();
          }
          closeIfIdle();
        }
      }
    }
  }
}
