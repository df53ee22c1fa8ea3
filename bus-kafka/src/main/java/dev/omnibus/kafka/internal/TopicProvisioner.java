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
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
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
  /** CreateTopics requests, each for the topics waiting; answered with each new topic's partitions. */
  private final Batched<NewTopic, Integer> requests;

  TopicProvisioner(Supplier<Admin> admin, int maxMessageBytes, Duration timeout) {
    this.admin = admin;
    this.maxMessageBytes = maxMessageBytes;
    this.timeout = timeout;
    this.requests = new Batched<>(MAX_BATCH, topics -> {
      CreateTopicsResult request = admin.get().createTopics(topics);
      Map<NewTopic, KafkaFuture<Integer>> answers = new HashMap<>();
      for (NewTopic topic : topics) {
        answers.put(topic, request.values().get(topic.name()).thenApply(ignored -> partitionsOf(request, topic.name())));
      }
      return answers;
    });
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
    requests.get(newTopic(topic, spec))
        .handle((partitions, failure) -> answered(topic, partitions, failure))
        .thenCompose(answer -> answer)
        .whenComplete((creation, failure) -> {
          if (failure == null) {
            result.complete(creation);
          } else {
            // A failed creation is asked again by the next caller: forgotten before the failure is told, since a
            // caller woken by it may ask again at once (a dependent stage of the result would run after that wake-up).
            creations.remove(topic, result);
            Throwable cause = unwrap(failure);
            result.completeExceptionally(cause instanceof TopicUnavailableException ? cause
                : new TopicUnavailableException(topic, cause));
          }
        });
    return result;
  }

  /** The partitions of a topic the request created, 0 when the answer does not say. */
  private static int partitionsOf(CreateTopicsResult request, String topic) {
    try {
      return request.numPartitions(topic).getNow(0);
    } catch (InterruptedException | ExecutionException | RuntimeException e) {
      return 0;
    }
  }

  /** The creation's answer: created, there already, or (unless it exists after all) failed with the reason. */
  private CompletableFuture<Creation> answered(String topic, @Nullable Integer partitions, @Nullable Throwable failure) {
    Throwable cause = failure == null ? null : unwrap(failure);
    if (cause == null) {
      return CompletableFuture.completedFuture(new Creation(true, partitions == null ? 0 : partitions));
    }
    if (cause instanceof TopicExistsException) {
      return CompletableFuture.completedFuture(new Creation(false, 0));
    }
    // Without the right to create (ACLs, policies) the topic may still exist: then it is usable as it is.
    CompletableFuture<Creation> result = new CompletableFuture<>();
    try {
      admin.get().describeTopics(List.of(topic)).allTopicNames().whenComplete((found, describeFailure) -> {
        if (describeFailure == null) {
          TopicDescription description = found.get(topic);
          result.complete(new Creation(false, description == null ? 0 : description.partitions().size()));
        } else {
          result.completeExceptionally(new TopicUnavailableException(topic, cause));
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(new TopicUnavailableException(topic, cause));
    }
    return result;
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
