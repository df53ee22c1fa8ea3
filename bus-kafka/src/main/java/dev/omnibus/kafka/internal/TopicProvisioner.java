package dev.omnibus.kafka.internal;

import dev.omnibus.spi.support.Causes;
import java.time.Duration;
import java.util.HashMap;
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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;

/**
 * Creates topics that do not exist yet, once per topic and transport, with the channel binding's partitions,
 * replicas and {@code topicConfiguration}; a topic that exists is left as it is.
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

  /** How often, and how many times, a new topic's leaders are looked for before its first use. */
  private static final Duration LEADER_CHECK_INTERVAL = Duration.ofMillis(50);
  private static final int LEADER_CHECKS = 100;

  private final Supplier<Admin> admin;
  private final int maxMessageBytes;
  private final Duration timeout;
  private final Map<String, CompletableFuture<Void>> ensured = new ConcurrentHashMap<>();

  TopicProvisioner(Supplier<Admin> admin, int maxMessageBytes, Duration timeout) {
    this.admin = admin;
    this.maxMessageBytes = maxMessageBytes;
    this.timeout = timeout;
  }

  /**
   * Makes sure the topic exists, blocking the caller the first time only.
   *
   * @throws TopicUnavailableException when it does not exist and cannot be created
   */
  void ensure(String topic, TopicSpec spec) {
    CompletableFuture<Void> known = ensured.get(topic);
    if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
      return;
    }
    CompletableFuture<Void> creation = ensured.computeIfAbsent(topic, name -> create(name, spec));
    try {
      creation.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CancellationException e) {
      ensured.remove(topic, creation);
      throw new TopicUnavailableException(topic, unwrap(e));
    } catch (TimeoutException e) {
      ensured.remove(topic, creation);
      throw new TopicUnavailableException(topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicUnavailableException(topic, e);
    }
  }

  private CompletableFuture<Void> create(String topic, TopicSpec spec) {
    Map<String, String> configuration = new HashMap<>(spec.configuration());
    // Kafka's default (about 1 MiB) is below what the binding promises once headers and structured mode are added.
    configuration.putIfAbsent(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes));
    NewTopic newTopic = new NewTopic(topic, Optional.ofNullable(spec.partitions()),
        Optional.ofNullable(spec.replicas()).map(Integer::shortValue)).configs(configuration);
    CompletableFuture<Void> result = new CompletableFuture<>();
    Admin client;
    try {
      client = admin.get();
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return result;
    }
    client.createTopics(List.of(newTopic)).all().whenComplete((ignored, failure) -> {
      Throwable cause = failure == null ? null : unwrap(failure);
      if (cause == null) {
        // A produce to a partition whose leader is not serving yet fails with a retriable error; when a later batch
        // then succeeds, the idempotent producer retries the first one forever with an out-of-order sequence
        // (KAFKA-14359). Waiting for every partition's leader before the first send closes that window.
        awaitLeaders(client, topic, result, LEADER_CHECKS);
        return;
      }
      if (cause instanceof TopicExistsException) {
        result.complete(null);
        return;
      }
      // Without the right to create (ACLs, policies) the topic may still exist: then it is usable as it is.
      client.describeTopics(List.of(topic)).allTopicNames().whenComplete((found, describeFailure) -> {
        if (describeFailure == null) {
          result.complete(null);
        } else {
          result.completeExceptionally(cause);
        }
      });
    });
    return result;
  }

  /** Completes the result once every partition of a new topic has a leader, or after the checks run out. */
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
