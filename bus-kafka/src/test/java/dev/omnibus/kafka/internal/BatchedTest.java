package dev.omnibus.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.test.kafka.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Lookups asked for while one is under way go out together, each caller still gets its own topic's answer. */
@ExtendWith(EmbeddedKafka.class)
class BatchedTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private Admin admin;

  @BeforeEach
  void open(EmbeddedKafka kafka) {
    admin = kafka.admin();
  }

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void keysAskedForWhileARequestIsUnderWayShareTheNextAndEachGetsItsOwnAnswer() throws Exception {
    String base = "test.batched." + UUID.randomUUID().toString().substring(0, 8);
    admin.createTopics(List.of(new NewTopic(base + ".two", 2, (short) 1), new NewTopic(base + ".three", 3, (short) 1)))
        .all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    // The controller has them; wait for the broker's metadata to list them too.
    Awaitility.await().atMost(WAIT).ignoreExceptions().until(() -> admin.describeTopics(List.of(base + ".two",
        base + ".three")).allTopicNames().get().size() == 2);
    AtomicInteger requests = new AtomicInteger();
    Batched<String, TopicDescription> descriptions = new Batched<>(1_000, topics -> {
      requests.incrementAndGet();
      return admin.describeTopics(topics).topicNameValues();
    });

    int missing = 200;
    List<CompletableFuture<TopicDescription>> unknown = new ArrayList<>();
    for (int i = 0; i < missing; i++) {
      unknown.add(descriptions.get(base + ".missing." + i));
    }
    CompletableFuture<TopicDescription> two = descriptions.get(base + ".two");
    CompletableFuture<TopicDescription> twoAgain = descriptions.get(base + ".two");
    CompletableFuture<TopicDescription> three = descriptions.get(base + ".three");

    assertThat(two.get(WAIT.toSeconds(), TimeUnit.SECONDS).partitions()).hasSize(2);
    assertThat(twoAgain.get(WAIT.toSeconds(), TimeUnit.SECONDS).partitions()).hasSize(2);
    assertThat(three.get(WAIT.toSeconds(), TimeUnit.SECONDS).partitions()).hasSize(3);
    for (CompletableFuture<TopicDescription> lookup : unknown) {
      assertThatThrownBy(() -> lookup.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }
    assertThat(requests.get()).isLessThan((missing + 3) / 4);
  }

  @Test
  void aRequestThatCannotBeSentFailsItsKeysAndTheNextOneIsSentAgain() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    Batched<String, TopicDescription> descriptions = new Batched<>(1_000, topics -> {
      if (requests.incrementAndGet() == 1) {
        throw new IllegalStateException("closed");
      }
      return admin.describeTopics(topics).topicNameValues();
    });

    assertThatThrownBy(() -> descriptions.get("first").get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> descriptions.get("test.batched.never").get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
  }
}
