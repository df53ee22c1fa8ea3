package dev.omnibus.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.test.kafka.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Topic creation against a real cluster: many topics asked for at once share a few CreateTopics requests, and each
 * caller learns whether its topic was created or already there.
 */
@ExtendWith(EmbeddedKafka.class)
class TopicProvisionerTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final TopicProvisioner.TopicSpec ONE_PARTITION = new TopicProvisioner.TopicSpec(1, null, Map.of());

  private CountingAdmin admin;
  private TopicProvisioner provisioner;

  @BeforeEach
  void open(EmbeddedKafka kafka) {
    admin = new CountingAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    provisioner = new TopicProvisioner(() -> admin, 1_048_576, WAIT);
  }

  @AfterEach
  void close() {
    admin.close();
  }

  @Test
  void topicsAskedForWhileACreationIsUnderWayShareTheNextRequest() throws Exception {
    int count = 200;
    String base = "test.coalesced." + UUID.randomUUID().toString().substring(0, 8);
    List<CompletableFuture<TopicProvisioner.Creation>> creations = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      creations.add(provisioner.create(base + "." + i, ONE_PARTITION));
    }
    for (CompletableFuture<TopicProvisioner.Creation> creation : creations) {
      assertThat(creation.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isEqualTo(new TopicProvisioner.Creation(true, 1));
    }
    assertThat(admin.createRequests.get()).isLessThan(count / 4);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      names.add(base + "." + i);
    }
    assertThat(admin.describeTopics(names).allTopicNames().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasSize(count);
  }

  @Test
  void aTopicThatExistsIsReportedAsNotCreatedAndCallersForOneTopicShareOneRequest() throws Exception {
    String topic = "test.existing." + UUID.randomUUID().toString().substring(0, 8);
    admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    int before = admin.createRequests.get();

    CompletableFuture<TopicProvisioner.Creation> first = provisioner.create(topic, ONE_PARTITION);
    assertThat(provisioner.create(topic, ONE_PARTITION)).isSameAs(first);
    assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).created()).isFalse();
    assertThat(admin.createRequests.get() - before).isEqualTo(1);
  }

  @Test
  void aTopicTheClusterRefusesFailsWithTheReasonAndIsAskedForAgainNextTime() throws Exception {
    String topic = "test.refused." + UUID.randomUUID().toString().substring(0, 8);
    TopicProvisioner.TopicSpec threeReplicas = new TopicProvisioner.TopicSpec(1, 3, Map.of());

    CompletableFuture<TopicProvisioner.Creation> refused = provisioner.create(topic, threeReplicas);
    assertThatThrownBy(() -> refused.get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(TopicProvisioner.TopicUnavailableException.class)
        .hasMessageContaining("topic '" + topic + "' does not exist and could not be created")
        .hasMessageContaining("replication factor");
    assertThatThrownBy(() -> provisioner.ensure(topic, threeReplicas))
        .isInstanceOf(TopicProvisioner.TopicUnavailableException.class)
        .hasMessageContaining("replication factor");

    assertThat(provisioner.create(topic, ONE_PARTITION).get(WAIT.toSeconds(), TimeUnit.SECONDS).created()).isTrue();
  }

  /** The test's admin client, counting the CreateTopics requests it is asked to send. */
  private static final class CountingAdmin extends ForwardingAdmin {
    final AtomicInteger createRequests = new AtomicInteger();

    CountingAdmin(Map<String, Object> configuration) {
      super(configuration);
    }

    @Override
    public CreateTopicsResult createTopics(Collection<NewTopic> newTopics, CreateTopicsOptions options) {
      createRequests.incrementAndGet();
      return super.createTopics(newTopics, options);
    }
  }
}
