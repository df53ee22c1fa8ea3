package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.Event;
import dev.omnibus.EventHandler;
import dev.omnibus.EventType;
import java.net.URI;
import java.sql.PreparedStatement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The inbox on the real PostgreSQL: the handler's work and the event's mark commit together. */
class InboxTest {

  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");

  private Postgres postgres;
  private Inbox inbox;

  @BeforeEach
  void start() throws Exception {
    postgres = Postgres.start();
    postgres.execute("CREATE TABLE " + postgres.schema + ".effects (event_id TEXT NOT NULL)");
    inbox = Inbox.of(postgres.dataSource()).table(postgres.inbox);
  }

  @AfterEach
  void stop() throws Exception {
    postgres.close();
  }

  @Test
  void aRedeliveredEventHasNoSecondEffect() throws Exception {
    EventHandler<String> handler = inbox.handler("billing", this::record);
    Event<String> event = note("e-1");

    handler.handle(event);
    handler.handle(event);

    assertThat(effects()).isEqualTo(1);
  }

  @Test
  void aFailedHandlingLeavesNeitherItsWorkNorTheMark() throws Exception {
    Event<String> event = note("e-1");
    EventHandler<String> failing = inbox.handler("billing", (received, connection) -> {
      record(received, connection);
      throw new IllegalStateException("the handler failed after its work");
    });
    assertThatThrownBy(() -> failing.handle(event)).isInstanceOf(IllegalStateException.class);

    inbox.handler("billing", this::record).handle(event);

    assertThat(effects()).isEqualTo(1);
  }

  @Test
  void twoConsumersEachHandleTheEventOnce() throws Exception {
    Event<String> event = note("e-1");

    inbox.handler("billing", this::record).handle(event);
    inbox.handler("shipping", this::record).handle(event);

    assertThat(effects()).isEqualTo(2);
  }

  @Test
  void aDuplicateHandledAtTheSameTimeWaitsForTheFirstAndChangesNothing() throws Exception {
    Event<String> event = note("e-1");
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventHandler<String> slow = inbox.handler("billing", (received, connection) -> {
      record(received, connection);
      firstInside.countDown();
      release.await(10, TimeUnit.SECONDS);
    });
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
      try {
        slow.handle(event);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
      try {
        inbox.handler("billing", this::record).handle(event);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    release.countDown();
    first.get(10, TimeUnit.SECONDS);
    second.get(10, TimeUnit.SECONDS);
    assertThat(effects()).isEqualTo(1);
  }

  private void record(Event<String> event, java.sql.Connection connection) throws Exception {
    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + postgres.schema
        + ".effects (event_id) VALUES (?)")) {
      insert.setString(1, event.id());
      insert.executeUpdate();
    }
  }

  private long effects() throws Exception {
    return postgres.count("SELECT count(*) FROM " + postgres.schema + ".effects");
  }

  private static Event<String> note(String id) {
    return NOTE.event("hello").id(id).source(URI.create("/notes")).build();
  }
}
