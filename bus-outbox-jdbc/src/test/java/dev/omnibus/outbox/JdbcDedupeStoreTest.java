package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.memory.InMemoryBroker;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JDBC dedupe store on the real PostgreSQL. */
class JdbcDedupeStoreTest {

  private Postgres postgres;

  @BeforeEach
  void start() {
    postgres = Postgres.start();
  }

  @AfterEach
  void stop() throws Exception {
    postgres.close();
  }

  @Test
  void aMarkIsSeenByAnotherStoreOnTheSameTable() {
    JdbcDedupeStore.of(postgres.dataSource(), Duration.ofHours(1)).table(postgres.inbox).markHandled("k");

    assertThat(JdbcDedupeStore.of(postgres.dataSource(), Duration.ofHours(1)).table(postgres.inbox).wasHandled("k"))
        .isTrue();
  }

  @Test
  void aKeyNeverMarkedWasNotHandled() {
    assertThat(JdbcDedupeStore.of(postgres.dataSource(), Duration.ofHours(1)).table(postgres.inbox).wasHandled("k"))
        .isFalse();
  }

  @Test
  void aMarkOlderThanTheWindowIsForgottenAndPurged() throws Exception {
    JdbcDedupeStore store = JdbcDedupeStore.of(postgres.dataSource(), Duration.ofMinutes(1)).table(postgres.inbox);
    store.markHandled("k");
    postgres.execute("UPDATE " + postgres.inbox + " SET handled_at = now() - interval '2 minutes'");

    assertThat(store.wasHandled("k")).isFalse();
    assertThat(store.purge()).isEqualTo(1);
  }

  @Test
  void aBusWithTheStoreHandsARedeliveredEventToTheHandlerOnce() {
    InMemoryBroker broker = InMemoryBroker.create();
    EventType<String> note = EventType.of("com.example.note", String.class).channel("notes");
    AtomicInteger handled = new AtomicInteger();
    try (EventBus bus = EventBus.builder().server(broker.server())
        .dedupe(JdbcDedupeStore.of(postgres.dataSource(), Duration.ofHours(1)).table(postgres.inbox)).build()) {
      bus.subscribe(note, "g", event -> handled.incrementAndGet());
      var event = CloudEventBuilder.v1().withId("e-1").withSource(URI.create("/notes")).withType(note.type())
          .withDataContentType("text/plain").withData("hi".getBytes(StandardCharsets.UTF_8)).build();
      broker.inject("notes", event);
      broker.inject("notes", event);

      broker.awaitDelivered("notes", 2, Duration.ofSeconds(10));
    }
    assertThat(handled).hasValue(1);
  }
}
