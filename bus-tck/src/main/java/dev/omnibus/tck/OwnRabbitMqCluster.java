package dev.omnibus.tck;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A RabbitMQ cluster of a test's own: {@code size} {@link OwnRabbitMq} nodes named
 * {@code omnibus-<name>-<random>-<n>@localhost}, each with its own AMQP and distribution ports and its own temporary
 * folder, sharing the machine's Erlang cookie (Debian's scripts run every node as user {@code rabbitmq}, whose cookie
 * it is). The nodes start side by side; then every node but the first joins the first ({@code stop_app},
 * {@code join_cluster <first>}, {@code start_app}). Never the machine's own node {@code rabbit@<host>}: it is neither
 * joined nor touched. {@link #close()} stops every node and deletes their folders.
 *
 * <p>Three nodes take about 25 s to start and join on a 2-core machine, and about 150 MB each. Requires what
 * {@link OwnRabbitMq} requires (root, Debian's {@code rabbitmq-server}); skipped without it, failing with
 * {@code CI=true}.
 *
 * <p>Thread-safe: each node serialises its own commands. {@link #close()} is idempotent; a JVM that ends without it
 * stops the nodes from a shutdown hook.
 */
public final class OwnRabbitMqCluster implements AutoCloseable {

  private final List<OwnRabbitMq> nodes;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Stops the nodes should the JVM end without {@link #close()} (a test run killed by a timeout). */
  private final Thread onExit;

  private OwnRabbitMqCluster(List<OwnRabbitMq> nodes) {
    this.nodes = List.copyOf(nodes);
    this.onExit = new Thread(this::stopNodes, "omnibus-rabbitmq-cluster-stop");
  }

  /**
   * Starts a cluster of {@code size} nodes of its own and returns once every node runs as a member of it and accepts
   * AMQP connections. On failure, every node started so far is stopped and deleted.
   *
   * @param name a short name for the node names and folders, e.g. {@code quorum}
   * @param size how many nodes, at least 1 (3 for quorum queues that survive one node's loss)
   */
  public static OwnRabbitMqCluster start(String name, int size) throws IOException {
    if (size < 1) {
      throw new IllegalArgumentException("a cluster has at least one node, not " + size);
    }
    String id = UUID.randomUUID().toString().substring(0, 6);
    List<OwnRabbitMq> nodes = new ArrayList<>();
    try {
      for (int i = 1; i <= size; i++) {
        nodes.add(OwnRabbitMq.launch(name + "-" + i, "omnibus-" + name + "-" + id + "-" + i + "@localhost"));
      }
      // Booted side by side: each node takes 10 to 15 s of mostly waiting on a loaded machine.
      eachAtOnce(nodes, OwnRabbitMq::awaitStartup);
      OwnRabbitMq first = nodes.get(0);
      for (OwnRabbitMq node : nodes.subList(1, nodes.size())) {
        node.ctl("stop_app");
        node.appRunning(false);
        node.ctl("join_cluster", first.node());
        node.ctl("start_app");
        node.awaitStartup();
      }
      first.ctl("await_online_nodes", Integer.toString(size), "--timeout", "60");
      OwnRabbitMqCluster cluster = new OwnRabbitMqCluster(nodes);
      Runtime.getRuntime().addShutdownHook(cluster.onExit);
      return cluster;
    } catch (RuntimeException | IOException | Error e) {
      new OwnRabbitMqCluster(nodes).stopNodes();
      throw e;
    }
  }

  /** The nodes, the first being the one the others joined. */
  public List<OwnRabbitMq> nodes() {
    return nodes;
  }

  /** One node, from 0. */
  public OwnRabbitMq node(int index) {
    return nodes.get(index);
  }

  /** Every node's AMQP address, {@code 127.0.0.1:<port>}, in node order. */
  public List<String> addresses() {
    return nodes.stream().map(OwnRabbitMq::address).toList();
  }

  /**
   * The node that leads a quorum queue of the default virtual host now, as a running node reports it
   * ({@code rabbitmqctl list_queues name leader}); empty when no running node knows the queue or it has no leader.
   */
  public Optional<OwnRabbitMq> leaderOf(String queue) {
    for (OwnRabbitMq asked : nodes) {
      String output;
      try {
        output = asked.ctl("list_queues", "name", "leader", "--quiet", "--no-table-headers");
      } catch (RuntimeException e) {
        continue; // this node's application is stopped: ask another
      }
      for (String line : output.split("\n")) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length == 2 && fields[0].equals(queue)) {
          return nodes.stream().filter(node -> node.node().equals(fields[1])).findFirst();
        }
      }
      return Optional.empty();
    }
    return Optional.empty();
  }

  /**
   * The node a client connection is connected to now, found by the name the client gave it (amqp-client's
   * {@code connection_name}, e.g. {@code omnibus-<server>-publish}); empty when no running node lists it.
   */
  public Optional<OwnRabbitMq> nodeOfConnection(String connectionName) {
    for (OwnRabbitMq asked : nodes) {
      String output;
      try {
        output = asked.ctl("list_connections", "port", "client_properties", "--quiet", "--no-table-headers");
      } catch (RuntimeException e) {
        continue; // this node's application is stopped: ask another
      }
      for (String line : output.split("\n")) {
        if (line.contains("\"" + connectionName + "\"")) {
          String port = line.trim().split("\\s+")[0];
          return nodes.stream().filter(node -> Integer.toString(node.port()).equals(port)).findFirst();
        }
      }
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** Stops every node (side by side) and deletes their folders; never fails. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(onExit);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // the JVM is shutting down (the hook runs or ran), or the hook was never added
    }
    stopNodes();
  }

  private void stopNodes() {
    if (closed.compareAndSet(false, true)) {
      eachAtOnce(nodes, OwnRabbitMq::close);
    }
  }

  /** Runs the action on every node, each on its own thread (the common pool has one thread on two cores). */
  private static void eachAtOnce(List<OwnRabbitMq> nodes, Consumer<OwnRabbitMq> action) {
    ExecutorService threads = Executors.newFixedThreadPool(Math.max(1, nodes.size()));
    try {
      CompletableFuture.allOf(nodes.stream().map(node -> CompletableFuture.runAsync(() -> action.accept(node),
          threads)).toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    } finally {
      threads.shutdown();
    }
  }
}
