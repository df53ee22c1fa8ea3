package dev.omnibus.memory.internal;

import dev.omnibus.Health;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The state of one in-memory broker: a log per address (for groups that join later and for inspection), durable
 * group queues (each reachable on its own, for replays), anonymous queues, and counters tests wait on.
 *
 * <p>Thread-safe: state changes happen under the broker's monitor, handlers run on the members' threads.
 */
public final class Broker {

  /**
   * Messages kept per address for groups that join later and for inspection. Every retained message is live on the
   * heap: at 100,000 per address each young collection copied a whole second of traffic and paused the bus for
   * 0.1-0.5 s under load; 10,000 still covers any test's backlog at a tenth of the garbage collector's work. Only the
   * wire form is kept, not the decoding the queues share: a group joining later decodes its replay anew, and the
   * collector copies about half the bytes per retained message.
   */
  public static final int RETAINED_PER_ADDRESS = 10_000;

  private static final Pattern PARAMETER = Pattern.compile("\\{[^}]+}");

  private final String name;
  private final Map<String, ArrayDeque<WireMessage>> logs = new HashMap<>();
  private final Map<String, Queue> groups = new HashMap<>();
  private final List<Queue> anonymous = new ArrayList<>();
  /** Acknowledgement counts, kept off the broker's monitor: the consumer threads bump them on every ack. */
  private final Map<String, AtomicInteger> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
  private final AckSignal ackSignal = new AckSignal();
  /** Threads waiting in {@link #awaitLog}; guarded by the broker's monitor, so a publish notifies only when one is. */
  private int logWaiters;
  private final AtomicInteger members = new AtomicInteger();
  /** What the transports of this broker report as their connection: up, or a simulated outage. */
  private final AtomicReference<Health.Status> connection = new AtomicReference<>(Health.Status.up(Instant.now()));

  public Broker(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  /**
   * The connection state its transports report: {@link Health.State#UP UP}, or
   * {@link Health.State#RECONNECTING RECONNECTING} with the reason during a simulated outage.
   */
  public Health.Status connection() {
    return connection.get();
  }

  /** Starts a simulated outage: only health reports change, messages flow as before. */
  public void outage(String reason) {
    connection.updateAndGet(current -> current.state() == Health.State.RECONNECTING
        ? Health.Status.of(Health.State.RECONNECTING, reason, current.since())
        : Health.Status.of(Health.State.RECONNECTING, reason, Instant.now()));
  }

  /** Ends a simulated outage. */
  public void recovered() {
    connection.updateAndGet(current -> current.state() == Health.State.UP
        ? current : new Health.Status(Health.State.UP, current.lastError(), Instant.now()));
  }

  /**
   * Stores a message and hands it to every queue whose pattern matches the address. The message is decoded here, on
   * the publishing thread and before the broker's monitor, when a queue will deliver it ({@link Carried}).
   */
  public void publish(String address, WireMessage message) {
    Carried carried = new Carried(message);
    Queue[] known = routes.get(address);
    if (known == null ? matchesAny(address) : known.length > 0) {
      carried.decode();
    }
    synchronized (this) {
      ArrayDeque<WireMessage> log = logs.computeIfAbsent(address, key -> new ArrayDeque<>());
      if (log.size() == RETAINED_PER_ADDRESS) {
        log.pollFirst();
      }
      log.addLast(message);
      // Enqueue while holding the broker's monitor so that the order of publishes is the order in every queue.
      for (Queue queue : route(address)) {
        queue.enqueue(address, carried);
      }
      if (logWaiters > 0) {
        notifyAll();
      }
    }
  }

  /**
   * The queues a message of the address goes to, the groups' then the anonymous ones, as of now: looked up once per
   * publish instead of matching the address against every queue. Called under the broker's monitor, which
   * {@link #queuesChanged()} also holds when it forgets the routes.
   */
  private Queue[] route(String address) {
    Queue[] queues = routes.get(address);
    if (queues == null) {
      List<Queue> matching = new ArrayList<>();
      for (Queue queue : subscribed) {
        if (queue.matches(address)) {
          matching.add(queue);
        }
      }
      queues = matching.toArray(new Queue[0]);
      routes.put(address, queues);
    }
    return queues;
  }

  /** Whether a queue would take a message of the address now; read without the monitor, so only a hint. */
  private boolean matchesAny(String address) {
    Queue[] queues = subscribed;
    for (Queue queue : queues) {
      if (queue.matches(address)) {
        return true;
      }
    }
    return false;
  }

  /** The queues, groups' and anonymous, as of the last change: read by publishers without the broker's monitor. */
  private volatile Queue[] subscribed = new Queue[0];

  /**
   * The queues each address published to goes to, worked out on its first publish since the last change of queues;
   * written under the broker's monitor, read without it as a hint (whether to decode before taking the monitor).
   */
  private final Map<String, Queue[]> routes = new java.util.concurrent.ConcurrentHashMap<>();

  private void queuesChanged() {
    List<Queue> all = new ArrayList<>(groups.values());
    all.addAll(anonymous);
    subscribed = all.toArray(new Queue[0]);
    routes.clear();
  }

  /**
   * Hands a message to one group's queue only, without logging it for the address (a group that joins later must not
   * get it): where a replayed dead letter goes. Returns false, sending nothing, when the group has no queue on that
   * address pattern, because it never subscribed to it (or {@link #clear()} forgot it).
   */
  public synchronized boolean publishToGroup(String addressPattern, String group, WireMessage message) {
    Queue queue = groups.get(groupKey(addressPattern, group));
    if (queue == null) {
      return false;
    }
    Carried carried = new Carried(message);
    carried.decode();
    queue.enqueue(addressPattern, carried);
    return true;
  }

  /**
   * Joins a group's queue, creating it on first use: a new group starts from the messages already retained for the
   * addresses it matches (like a Kafka group starting at the earliest offset), so nothing published before the
   * group's first subscription is lost. An anonymous subscription ({@code group == null}) gets a queue of its own
   * that starts empty and goes away with it.
   */
  public synchronized Queue.Member join(String addressPattern, @Nullable String group, DeliveryHandler handler) {
    Pattern pattern = toPattern(addressPattern);
    Queue queue;
    if (group == null) {
      queue = new Queue(this, null, pattern);
      anonymous.add(queue);
      queuesChanged();
    } else {
      String key = groupKey(addressPattern, group);
      queue = groups.get(key);
      if (queue == null) {
        queue = new Queue(this, group, pattern);
        groups.put(key, queue);
        queuesChanged();
        for (Map.Entry<String, ArrayDeque<WireMessage>> log : logs.entrySet()) {
          if (queue.matches(log.getKey())) {
            for (WireMessage message : log.getValue()) {
              queue.enqueue(log.getKey(), new Carried(message));
            }
          }
        }
      }
    }
    String threadName = "omnibus-memory-" + name + "-" + (group == null ? "anonymous" : group) + "-"
        + members.incrementAndGet();
    return queue.join(handler, threadName);
  }

  private static String groupKey(String addressPattern, String group) {
    return addressPattern + '\u0000' + group;
  }

  synchronized void departed(Queue queue) {
    if (queue.group() == null && !queue.hasMembers()) {
      anonymous.remove(queue);
      queuesChanged();
    }
  }

  void acknowledged(String address) {
    AtomicInteger count = acknowledged.get(address);
    if (count == null) {
      count = acknowledged.computeIfAbsent(address, key -> new AtomicInteger());
    }
    count.incrementAndGet();
    if (ackSignal.waiters > 0) {
      synchronized (ackSignal) {
        ackSignal.notifyAll();
      }
    }
  }

  /** The messages retained for an address, oldest first. */
  public synchronized List<WireMessage> log(String address) {
    ArrayDeque<WireMessage> log = logs.get(address);
    return log == null ? List.of() : List.copyOf(log);
  }

  /** Waits until at least {@code count} messages were published to an address; returns them. */
  public synchronized List<WireMessage> awaitLog(String address, int count, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    logWaiters++;
    try {
      while (log(address).size() < count) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          break;
        }
        wait(left);
      }
    } finally {
      logWaiters--;
    }
    return log(address);
  }

  /** How many messages of an address were acknowledged by a handler, over all queues. */
  public int acknowledgedCount(String address) {
    AtomicInteger count = acknowledged.get(address);
    return count == null ? 0 : count.get();
  }

  /** Waits until at least {@code count} messages of an address were acknowledged; returns the count reached. */
  public int awaitAcknowledged(String address, int count, long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    synchronized (ackSignal) {
      ackSignal.waiters++;
      try {
        while (acknowledgedCount(address) < count) {
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            break;
          }
          ackSignal.wait(left);
        }
      } finally {
        ackSignal.waiters--;
      }
    }
    return acknowledgedCount(address);
  }

  /** Forgets every retained message, pending delivery, durable group and counter. Members stay subscribed. */
  public synchronized void clear() {
    logs.clear();
    acknowledged.clear();
    for (Queue queue : groups.values()) {
      queue.clear();
    }
    groups.values().removeIf(queue -> !queue.hasMembers());
    queuesChanged();
    for (Queue queue : anonymous) {
      queue.clear();
    }
  }

  /** An address pattern: {@code {param}} segments match one level (no '.' or '/'). */
  static Pattern toPattern(String addressPattern) {
    StringBuilder regex = new StringBuilder();
    Matcher matcher = PARAMETER.matcher(addressPattern);
    int last = 0;
    while (matcher.find()) {
      regex.append(Pattern.quote(addressPattern.substring(last, matcher.start()))).append("[^./]+");
      last = matcher.end();
    }
    regex.append(Pattern.quote(addressPattern.substring(last)));
    return Pattern.compile(regex.toString());
  }

  /**
   * Where {@link #awaitAcknowledged} waits, and how many wait: an object of its own, so that the consumer threads, which
   * read the count on every acknowledgement, do not read it next to the broker's own header, which every publish writes
   * when it takes the broker's monitor.
   */
  private static final class AckSignal {
    /** Threads in {@link #awaitAcknowledged}; written under this object's monitor. */
    volatile int waiters;
  }
}
