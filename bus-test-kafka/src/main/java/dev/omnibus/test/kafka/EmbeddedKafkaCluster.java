package dev.omnibus.test.kafka;

import dev.omnibus.spi.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;

/**
 * Three KRaft nodes of a test's own inside the test JVM, each a broker and a voter of the controller quorum, on free
 * {@code 127.0.0.1} ports and in a temporary directory; start one with {@link EmbeddedKafka#startCluster(String)}.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster cluster = EmbeddedKafka.startCluster("omnibus-kafka-cluster-")) {
 *   try (EventBus bus = EventBus.builder().server(cluster.server()).build()) {
 *     int leader = cluster.leaderOf("orders", 0);
 *     cluster.stopNode(leader);     // as close to a crash as one JVM allows
 *     // ... the bus goes on with the other two ...
 *     cluster.startNode(leader);    // same ports, same data
 *   }
 * }
 * }</pre>
 *
 * <p>Replication is that of a production cluster of three: the internal topics (consumer offsets, transactions, share
 * groups) have replication factor 3 with 2 in sync, and a topic created without a replication factor gets 3 with
 * {@code min.insync.replicas=2}, so one node may be down without refusing {@code acks=all} writes.
 *
 * <p>{@link #stopNode(int) Stopping a node} skips the controlled shutdown (no partition leadership is handed over
 * first: the controller fences the node when its heartbeats stop, after {@code broker.session.timeout.ms}, 9 s, as
 * after a crash) and deletes its clean-shutdown marker, so that its logs are recovered on restart as after a crash.
 * What one JVM cannot do is lose the node's unflushed page cache: its files are closed, not torn.
 *
 * <p>{@link #close()} stops every node and deletes the directory. Thread-safe.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

  /** How many nodes a cluster has. */
  public static final int SIZE = 3;

  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);
  private static final String CLEAN_SHUTDOWN_FILE = ".kafka_cleanshutdown";

  private final Path directory;
  private final Map<Integer, EmbeddedKafka> nodes;
  private final Map<Integer, Integer> brokerPorts;
  private final Object lock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();

  private EmbeddedKafkaCluster(Path directory, Map<Integer, EmbeddedKafka> nodes, Map<Integer, Integer> brokerPorts) {
    this.directory = directory;
    this.nodes = Map.copyOf(nodes);
    this.brokerPorts = Map.copyOf(brokerPorts);
  }

  static EmbeddedKafkaCluster start(String prefix) {
    Path directory;
    try {
      directory = Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a directory for a Kafka cluster's logs", e);
    }
    Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();
    Map<Integer, Integer> controllerPorts = new LinkedHashMap<>();
    for (int id = 1; id <= SIZE; id++) {
      brokerPorts.put(id, EmbeddedKafka.freePort());
      controllerPorts.put(id, EmbeddedKafka.freePort());
    }
    String voters = controllerPorts.entrySet().stream()
        .map(voter -> voter.getKey() + "@127.0.0.1:" + voter.getValue()).collect(Collectors.joining(","));
    String clusterId = Uuid.randomUuid().toString();
    Map<Integer, EmbeddedKafka> nodes = new LinkedHashMap<>();
    for (int id = 1; id <= SIZE; id++) {
      nodes.put(id, EmbeddedKafka.clusterNode(id, brokerPorts.get(id), controllerPorts.get(id),
          directory.resolve("node-" + id), voters, clusterId, clusterConfig()));
    }
    EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(directory, nodes, brokerPorts);
    try {
      // A node's startup returns only once the quorum (two of three) has a leader: they start side by side.
      List<CompletableFuture<Void>> starting = new ArrayList<>();
      for (EmbeddedKafka node : nodes.values()) {
        starting.add(CompletableFuture.runAsync(node::startServer, daemonThreadPerTask("kafka-node-start")));
      }
      await(CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)), START_TIMEOUT,
          "starting three Kafka nodes");
      cluster.awaitBrokers(nodes.keySet(), START_TIMEOUT);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private static Map<String, String> clusterConfig() {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("offsets.topic.replication.factor", "3");
    config.put("transaction.state.log.replication.factor", "3");
    config.put("transaction.state.log.min.isr", "2");
    config.put("share.coordinator.state.topic.replication.factor", "3");
    config.put("share.coordinator.state.topic.min.isr", "2");
    config.put("default.replication.factor", "3");
    config.put("min.insync.replicas", "2");
    // A stop is a crash: no leadership handed over before it.
    config.put("controlled.shutdown.enable", "false");
    return config;
  }

  /** The three brokers' addresses, e.g. {@code 127.0.0.1:40123,127.0.0.1:40125,127.0.0.1:40127}. */
  public String bootstrapServers() {
    return brokerPorts.values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
  }

  /**
   * A server of protocol {@code kafka} named {@code kafka} on the three brokers, for
   * {@code EventBus.builder().server(...)} (with {@code dev.omnibus:bus-kafka} on the classpath).
   */
  public ServerConfig server() {
    return ServerConfig.of("kafka", "kafka", bootstrapServers());
  }

  /** An admin client for the cluster; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
  }

  /** The nodes' ids: 1, 2 and 3. */
  public Set<Integer> nodeIds() {
    return nodes.keySet();
  }

  /** Whether the node runs (it was not stopped, or was started again). */
  public boolean isRunning(int nodeId) {
    return node(nodeId).isRunning();
  }

  /**
   * The node leading a partition now, as the cluster's metadata says.
   *
   * @throws IllegalStateException when the partition has no leader or the cluster does not answer in 60 s
   */
  public int leaderOf(String topic, int partition) {
    TopicPartitionInfo info = describe(topic).partitions().stream().filter(p -> p.partition() == partition)
        .findFirst().orElseThrow(() -> new IllegalStateException("topic " + topic + " has no partition " + partition));
    Node leader = info.leader();
    if (leader == null || leader.isEmpty()) {
      throw new IllegalStateException("partition " + topic + "-" + partition + " has no leader now");
    }
    return leader.id();
  }

  /**
   * Stops a node as close to a crash as one JVM allows: without controlled shutdown, so that leaders move only when
   * the controller fences it, and without its clean-shutdown marker, so that it recovers its logs on restart. Its
   * ports and data stay for {@link #startNode(int)}. Stopping a stopped node does nothing.
   */
  public void stopNode(int nodeId) {
    EmbeddedKafka node = node(nodeId);
    synchronized (lock) {
      node.stop();
      try {
        Files.deleteIfExists(node.logDir().resolve(CLEAN_SHUTDOWN_FILE));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot remove the clean-shutdown marker of node " + nodeId, e);
      }
    }
  }

  /**
   * Starts a stopped node again on its ports and data, and returns once the cluster lists it among its brokers
   * (its replicas may still be catching up: see {@link #awaitFullyReplicated(Duration)}). Starting a running node
   * does nothing.
   */
  public void startNode(int nodeId) {
    EmbeddedKafka node = node(nodeId);
    synchronized (lock) {
      node.startServer();
    }
    awaitBrokers(Set.of(nodeId), START_TIMEOUT);
  }

  /**
   * Waits until every partition of every topic has all its replicas in sync again (after a node came back), at
   * most the given time.
   *
   * @throws IllegalStateException naming the partitions still behind when the time is up
   */
  public void awaitFullyReplicated(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String behind = "the cluster did not answer";
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
          Map<String, TopicDescription> descriptions = admin.describeTopics(topics).allTopicNames()
              .get(10, TimeUnit.SECONDS);
          List<String> lagging = new ArrayList<>();
          descriptions.values().forEach(description -> description.partitions().forEach(partition -> {
            if (partition.isr().size() < partition.replicas().size()) {
              lagging.add(description.name() + "-" + partition.partition());
            }
          }));
          if (lagging.isEmpty()) {
            return;
          }
          behind = "partitions not fully in sync: " + lagging;
        } catch (ExecutionException | TimeoutException e) {
          behind = "the cluster did not answer: " + e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for the replicas", e);
        }
        pause();
      }
    }
    throw new IllegalStateException("Kafka cluster at " + bootstrapServers() + " not fully replicated after "
        + timeout + ": " + behind);
  }

  /** Stops every node that runs (side by side, at most a minute) and deletes the directory. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      List<CompletableFuture<Void>> stopping = new ArrayList<>();
      for (EmbeddedKafka node : nodes.values()) {
        stopping.add(CompletableFuture.runAsync(node::stop, daemonThreadPerTask("kafka-node-stop")));
      }
      await(CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)), STOP_TIMEOUT,
          "stopping the Kafka nodes");
    } finally {
      EmbeddedKafka.deleteTree(directory);
    }
  }

  private EmbeddedKafka node(int nodeId) {
    EmbeddedKafka node = nodes.get(nodeId);
    if (node == null) {
      throw new IllegalArgumentException("no node " + nodeId + " in this cluster: its nodes are " + nodes.keySet());
    }
    return node;
  }

  private TopicDescription describe(String topic) {
    try (Admin admin = admin()) {
      return admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Cannot describe topic " + topic + " on " + bootstrapServers(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while describing topic " + topic, e);
    }
  }

  /** Waits until the cluster's metadata lists these brokers (registered and not fenced). */
  private void awaitBrokers(Set<Integer> expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String seen = "no answer";
    try (Admin admin = admin()) {
      while (System.nanoTime() < deadline) {
        try {
          Set<Integer> ids = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).stream().map(Node::id)
              .collect(Collectors.toSet());
          if (ids.containsAll(expected)) {
            return;
          }
          seen = "brokers " + ids;
        } catch (ExecutionException | TimeoutException e) {
          seen = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka brokers", e);
        }
        pause();
      }
    }
    throw new IllegalStateException("Kafka brokers " + expected + " not up after " + timeout + " at "
        + bootstrapServers() + " (" + seen + ")");
  }

  /** Between two polls of the cluster's state: a bounded park, not a synchronisation. */
  private static void pause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
  }

  private static void await(CompletableFuture<Void> all, Duration timeout, String what) {
    try {
      all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " took more than " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + what, e);
    }
  }

  private static Executor daemonThreadPerTask(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      thread.start();
    };
  }
}
