package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.PublishException;
import dev.omnibus.SerializationException;
import dev.omnibus.memory.InMemoryBroker;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The outbox and its relay on the real PostgreSQL, publishing to the in-memory broker. */
class OutboxRelayTest {

  record Order(String id, int seq) {}

  static final EventType<Order> ORDER = EventType.of("com.example.order.v1", Order.class).channel("orders")
      .subject(Order::id);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private Postgres postgres;
  private Outbox outbox;
  private InMemoryBroker broker;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private volatile Predicate<CloudEvent> refuse = event -> false;
  private volatile Predicate<CloudEvent> poison = event -> false;

  @BeforeEach
  void start() {
    postgres = Postgres.start();
    outbox = Outbox.of(postgres.dataSource()).table(postgres.outbox);
    broker = InMemoryBroker.create();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    postgres.close();
  }

  @Test
  void aCommittedEventIsPublishedWithTheIdSourceAndTimeItWasWrittenWith() throws Exception {
    Event<Order> written = write(List.of(new Order("o-1", 1)), true).get(0);

    relay(Duration.ZERO, 5).flush();

    CloudEvent published = broker.published("orders").get(0);
    assertThat(published.getId()).isEqualTo(written.id());
    assertThat(published.getSource()).isEqualTo(URI.create("/orders-service"));
    assertThat(published.getTime()).isEqualTo(written.time());
    assertThat(published.getSubject()).isEqualTo("o-1");
  }

  @Test
  void anEventOfARolledBackTransactionIsNeverPublished() throws Exception {
    write(List.of(new Order("o-1", 1)), false);
    Event<Order> kept = write(List.of(new Order("o-2", 1)), true).get(0);

    relay(Duration.ZERO, 5).flush();

    assertThat(broker.published("orders")).extracting(CloudEvent::getId).containsExactly(kept.id());
  }

  @Test
  void aRowIsMarkedSentOnlyOnceTheBrokerConfirmedIt() throws Exception {
    refuse = event -> true;
    write(List.of(new Order("o-1", 1)), true);

    relay(Duration.ZERO, 5).flush();

    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE status = 'PENDING' AND attempts = 1 AND last_error LIKE '%refused%'")).isEqualTo(1);
  }

  @Test
  void aFailedRowIsPublishedByALaterPass() throws Exception {
    refuse = event -> true;
    write(List.of(new Order("o-1", 1)), true);
    OutboxRelay relay = relay(Duration.ZERO, 5);
    relay.flush();

    refuse = event -> false;
    relay.flush();

    assertThat(broker.published("orders")).hasSize(1);
    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'SENT'")).isEqualTo(1);
  }

  @Test
  void aFailedRowHoldsBackTheLaterRowsOfItsKeyButNotOtherKeys() throws Exception {
    List<Event<Order>> first = write(List.of(new Order("a", 1), new Order("a", 2)), true);
    Event<Order> other = write(List.of(new Order("b", 1)), true).get(0);
    refuse = event -> event.getId().equals(first.get(0).id());

    relay(Duration.ZERO, 5).flush();

    assertThat(broker.published("orders")).extracting(CloudEvent::getId).containsExactly(other.id());
  }

  @Test
  void aRowThatFailsMaxAttemptsTimesIsDeadLetteredAndItsKeyGoesOn() throws Exception {
    List<Event<Order>> rows = write(List.of(new Order("a", 1), new Order("a", 2)), true);
    poison = event -> event.getId().equals(rows.get(0).id());
    OutboxRelay relay = relay(Duration.ZERO, 2);

    relay.flush();
    relay.flush();
    relay.flush();

    assertThat(broker.published("orders")).extracting(CloudEvent::getId).containsExactly(rows.get(1).id());
    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'DEAD' AND attempts = 2"))
        .isEqualTo(1);
  }

  @Test
  void aRowTheBrokerDoesNotConfirmIsNeverDeadLettered() throws Exception {
    refuse = event -> true;
    write(List.of(new Order("o-1", 1)), true);
    OutboxRelay relay = relay(Duration.ZERO, 1);

    relay.flush();
    relay.flush();

    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'PENDING' AND attempts = 2"))
        .isEqualTo(1);
  }

  @Test
  void aFailedRowWaitsForItsBackoff() throws Exception {
    refuse = event -> true;
    write(List.of(new Order("o-1", 1)), true);
    OutboxRelay relay = relay(Duration.ofHours(1), 5);
    relay.flush();

    refuse = event -> false;

    assertThat(relay.flush()).isZero();
  }

  @Test
  void aRowOfAnUnknownTypeFailsNamingTheFix() throws Exception {
    write(List.of(new Order("o-1", 1)), true);
    OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus()).table(postgres.outbox).build();

    relay.flush();

    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE last_error LIKE '%OutboxRelay.builder(...).types(...)%'")).isEqualTo(1);
  }

  @Test
  void twoRunningRelaysPublishEveryRowOnceInOrderPerKey() throws Exception {
    List<Order> orders = new ArrayList<>();
    for (int seq = 0; seq < 60; seq++) {
      for (int key = 0; key < 8; key++) {
        orders.add(new Order("k" + key, seq));
      }
    }
    for (int from = 0; from < orders.size(); from += 40) {
      write(orders.subList(from, from + 40), true);
    }
    EventBus bus = bus();
    for (int i = 0; i < 2; i++) {
      OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus).table(postgres.outbox).types(ORDER)
          .batchSize(7).pollInterval(Duration.ofMillis(20)).build();
      closing.add(relay);
      relay.start();
    }

    await().atMost(WAIT).until(() -> postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE status = 'SENT'") == orders.size());

    List<CloudEvent> published = broker.published("orders");
    assertThat(published).hasSize(orders.size());
    Map<String, List<Integer>> seqByKey = new LinkedHashMap<>();
    for (CloudEvent event : published) {
      Order order = ORDER.codec().decode(event.getData().toBytes());
      seqByKey.computeIfAbsent(order.id(), k -> new ArrayList<>()).add(order.seq());
    }
    assertThat(seqByKey).hasSize(8).allSatisfy((key, seqs) -> assertThat(seqs).isSorted().hasSize(60));
  }

  @Test
  void purgeDeletesTheSentRowsOlderThanTheRetentionOnly() throws Exception {
    write(List.of(new Order("o-1", 1)), true);
    OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus()).table(postgres.outbox).types(ORDER)
        .retention(Duration.ZERO).build();
    relay.flush();
    write(List.of(new Order("o-2", 1)), true);

    assertThat(relay.purgeSent()).isEqualTo(1);
    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE status = 'PENDING'")).isEqualTo(1);
  }

  @Test
  void aStartedRelayPublishesWhatCommitsLater() throws Exception {
    OutboxRelay relay = OutboxRelay.builder(postgres.dataSource(), bus()).table(postgres.outbox).types(ORDER)
        .pollInterval(Duration.ofMillis(20)).build();
    closing.add(relay);
    relay.start();

    write(List.of(new Order("o-1", 1)), true);

    broker.awaitPublished("orders", 1, WAIT);
  }

  private OutboxRelay relay(Duration backoff, int maxAttempts) {
    return OutboxRelay.builder(postgres.dataSource(), bus()).table(postgres.outbox).types(ORDER)
        .backoff(backoff, backoff).maxAttempts(maxAttempts).build();
  }

  private EventBus bus() {
    Interceptor refusing = new Interceptor() {
      @Override
      public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
        if (poison.test(publishing.event())) {
          return CompletableFuture.failedFuture(SerializationException.of("poison row"));
        }
        if (refuse.test(publishing.event())) {
          return CompletableFuture.failedFuture(PublishException.of("orders", "memory", "refused by the test"));
        }
        return next.proceed(publishing);
      }
    };
    EventBus bus = EventBus.builder().server(broker.server()).source(URI.create("/orders-service"))
        .intercept(refusing).build();
    closing.add(bus);
    return bus;
  }

  /** Writes the orders' events in one transaction, committed or rolled back. */
  private List<Event<Order>> write(List<Order> orders, boolean commit) throws Exception {
    List<Event<Order>> events = new ArrayList<>();
    try (Connection connection = postgres.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      for (Order order : orders) {
        events.add(outbox.publish(connection, ORDER, order));
      }
      if (commit) {
        connection.commit();
      } else {
        connection.rollback();
      }
    }
    return events;
  }

  static Set<String> ids(List<CloudEvent> events) {
    return events.stream().map(CloudEvent::getId).collect(Collectors.toSet());
  }
}
