package dev.omnibus.kafka.internal;

import dev.omnibus.spi.support.Causes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;

/**
 * Creates topics that do not exist yet, once per topic and transport, with the channel binding's partitions,
 * replicas and {@code topicConfiguration}; a topic that exists is left as it is.
 *
 * <p>Creations are coalesced: while one CreateTopics request is under way, the topics asked for meanwhile wait, and
 * the next request carries all of them (at most {@value #MAX_BATCH}). A thousand subscriptions opened one after the
 * other so cost a few requests of many topics, not a thousand requests of one (each about one controller write).
 *
 * <p>Thread-safe: concurrent callers for one topic share one creation.
 */
final class TopicProvisioner {

  /** What to create a topic with; {@code null} leaves the choice to the broker's defaults. */
  record TopicSpec(@Nullable Integer partitions, @Nullable Integer replicas, Map<String, String> configuration) {
    TopicSpec {
      configuration = Map.copyOf(configuration);
    }
  }

  /**
   * What asking for a topic found.
   *
   * @param created whether this transport created it (so that everything in it was sent after it was asked for)
   * @param partitions its partitions as the cluster answered, 0 when not known yet
   */
  record Creation(boolean created, int partitions) {}

  /** How often, and how many times, a new topic's leaders are looked for before its first use. */
  private static final Duration LEADER_CHECK_INTERVAL = Duration.ofMillis(50);
  private static final int LEADER_CHECKS = 100;
  /** The most topics one CreateTopics request carries. */
  static final int MAX_BATCH = 500;

  private final Supplier<Admin> admin;
  private final int maxMessageBytes;
  private final Duration timeout;
  /** Topics asked for, until their creation fails; completed on the admin client's thread. */
  private final Map<String, CompletableFuture<Creation>> creations = new ConcurrentHashMap<>();
  /** Topics ready to be written to: created and, when new, led. */
  private final Map<String, CompletableFuture<Void>> ensured = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private boolean requesting;

  /** A topic waiting for the next CreateTopics request. */
  private record Waiting(NewTopic topic, CompletableFuture<Creation> result) {}

  TopicProvisioner(Supplier<Admin> admin, int maxMessageBytes, Duration timeout) {
    this.admin = admin;
    this.maxMessageBytes = maxMessageBytes;
    this.timeout = timeout;
  }

  /**
   * Makes sure the topic exists and, when this transport creates it, that its partitions have leaders; blocks the
   * caller the first time only. For writing: a produce to a partition without a leader yet can leave the idempotent
   * producer retrying forever (see {@link #awaitLeaders}).
   *
   * @throws TopicUnavailableException when it does not exist and cannot be created
   */
  void ensure(String topic, TopicSpec spec) {
    CompletableFuture<Void> known = ensured.get(topic);
    if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
      return;
    }
    CompletableFuture<Void> ready = ensured.computeIfAbsent(topic, name -> create(name, spec).thenCompose(creation -> {
      CompletableFuture<Void> led = new CompletableFuture<>();
      if (creation.created()) {
        awaitLeaders(admin.get(), name, led, LEADER_CHECKS);
      } else {
        led.complete(null);
      }
      return led;
    }));
    try {
      ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CancellationException e) {
      ensured.remove(topic, ready);
      Throwable cause = unwrap(e);
      throw cause instanceof TopicUnavailableException unavailable ? unavailable
          : new TopicUnavailableException(topic, cause);
    } catch (TimeoutException e) {
      ensured.remove(topic, ready);
      throw new TopicUnavailableException(topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicUnavailableException(topic, e);
    }
  }

  /**
   * Asks for the topic without waiting: the stage completes, on the admin client's thread, once the cluster answered
   * (created, or there already), or fails with a {@link TopicUnavailableException}. No leader wait: a consumer
   * finds its partitions' leaders by itself.
   */
  CompletableFuture<Creation> create(String topic, TopicSpec spec) {
    CompletableFuture<Creation> known = creations.get(topic);
    if (known != null) {
      return known;
    }
    CompletableFuture<Creation> result = new CompletableFuture<>();
    known = creations.putIfAbsent(topic, result);
    if (known != null) {
      return known;
    }
    // A failed creation is asked again by the next caller.
    result.whenComplete((creation, failure) -> {
      if (failure != null) {
        creations.remove(topic, result);
      }
    });
    boolean send;
    synchronized (lock) {
      waiting.put(topic, new Waiting(newTopic(topic, spec), result));
      send = !requesting;
      requesting = true;
    }
    if (send) {
      sendWaiting();
    }
    return result;
  }

  /** Sends one CreateTopics request with the topics waiting; its answer sends the next. */
  private void sendWaiting() {
    Map<String, Waiting> batch = new HashMap<>();
    synchronized (lock) {
      Iterator<Map.Entry<String, Waiting>> next = waiting.entrySet().iterator();
      while (next.hasNext() && batch.size() < MAX_BATCH) {
        Map.Entry<String, Waiting> entry = next.next();
        batch.put(entry.getKey(), entry.getValue());
        next.remove();
      }
      if (batch.isEmpty()) {
        requesting = false;
        return;
      }
    }
    Admin client;
    CreateTopicsResult request;
    try {
      client = admin.get();
      request = client.createTopics(batch.values().stream().map(Waiting::topic).toList());
    } catch (RuntimeException e) {
      batch.forEach((topic, item) -> item.result().completeExceptionally(new TopicUnavailableException(topic, e)));
      sendWaiting();
      return;
    }
    request.values().forEach((topic, created) -> created.whenComplete((ignored, failure) ->
        answered(client, request, topic, failure, batch.get(topic).result())));
    request.all().whenComplete((ignored, failure) -> sendWaiting());
  }

  private void answered(Admin client, CreateTopicsResult request, String topic, @Nullable Throwable failure,
      CompletableFuture<Creation> result) {
    Throwable cause = failure == null ? null : unwrap(failure);
    if (cause == null) {
      int partitions;
      try {
        partitions = request.numPartitions(topic).getNow(0);
      } catch (InterruptedException | ExecutionException | RuntimeException e) {
        partitions = 0;
      }
      result.complete(new Creation(true, partitions));
      return;
    }
    if (cause instanceof TopicExistsException) {
      result.complete(new Creation(false, 0));
      return;
    }
    // Without the right to create (ACLs, policies) the topic may still exist: then it is usable as it is.
    client.describeTopics(List.of(topic)).allTopicNames().whenComplete((found, describeFailure) -> {
      if (describeFailure == null) {
        TopicDescription description = found.get(topic);
        result.complete(new Creation(false, description == null ? 0 : description.partitions().size()));
      } else {
        result.completeExceptionally(new TopicUnavailableException(topic, cause));
      }
    });
  }

  private NewTopic newTopic(String topic, TopicSpec spec) {
    Map<String, String> configuration = new HashMap<>(spec.configuration());
    // Kafka's default (about 1 MiB) is below what the binding promises once headers and structured mode are added.
    configuration.putIfAbsent(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes));
    return new NewTopic(topic, Optional.ofNullable(spec.partitions()),
        Optional.ofNullable(spec.replicas()).map(Integer::shortValue)).configs(configuration);
  }

  /**
   * Completes the result once every partition of a new topic has a leader, or after the checks run out. A produce to
   * a partition whose leader is not serving yet fails with a retriable error; when a later batch then succeeds, the
   * idempotent producer retries the first one forever with an out-of-order sequence (KAFKA-14359).
   */
  private static void awaitLeaders(Admin client, String topic, CompletableFuture<Void> result, int checksLeft) {
    client.describeTopics(List.of(topic)).allTopicNames().whenComplete((found, failure) -> {
      TopicDescription description = failure == null ? found.get(topic) : null;
      boolean led = description != null && !description.partitions().isEmpty()
          && description.partitions().stream().allMatch(partition -> partition.leader() != null
              && !partition.leader().isEmpty());
      if (led || checksLeft <= 1) {
        result.complete(null); // created either way: at worst the first sends are retried by the producer
        return;
      }
      CompletableFuture.delayedExecutor(LEADER_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
          .execute(() -> awaitLeaders(client, topic, result, checksLeft - 1));
    });
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** A topic could not be found or created; the message says why, without secrets. */
  static final class TopicUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TopicUnavailableException(String topic, Throwable cause) {
      super("topic '" + topic + "' does not exist and could not be created ("
          + (cause instanceof TimeoutException ? "no answer from the cluster in time" : Causes.message(cause)) + ")",
          cause);
    }
  }
}
