package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventType;
import dev.omnibus.PublishException;
import java.net.URI;
import java.sql.Connection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Writing to the outbox table, and creating it, on the real PostgreSQL. */
class OutboxTest {

  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes")
      .subject(text -> "s-" + text);

  private Postgres postgres;
  private Outbox outbox;

  @BeforeEach
  void start() {
    postgres = Postgres.start();
    outbox = Outbox.of(postgres.dataSource()).table(postgres.outbox);
  }

  @AfterEach
  void stop() throws Exception {
    postgres.close();
  }

  @Test
  void theSubjectIsTheOrderingKeyByDefault() throws Exception {
    outbox.publish(NOTE, "a");

    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE ordering_key = 's-a'"))
        .isEqualTo(1);
  }

  @Test
  void aPartitionKeyExtensionIsTheOrderingKeyBeforeTheSubject() throws Exception {
    try (Connection connection = postgres.dataSource().getConnection()) {
      outbox.publish(connection, NOTE.event("a").extension("partitionkey", "customer-7").build());
    }

    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE ordering_key = 'customer-7' AND extensions ->> 'partitionkey' = 'customer-7'")).isEqualTo(1);
  }

  @Test
  void theOutboxSourceIsWrittenOnEventsWithoutOne() throws Exception {
    outbox.source(URI.create("/notes-service")).publish(NOTE, "a");

    assertThat(postgres.count("SELECT count(*) FROM " + postgres.outbox + " WHERE event_source = '/notes-service'"))
        .isEqualTo(1);
  }

  @Test
  void aRowThatCannotBeWrittenIsAPublishExceptionTellingToRollBack() {
    Outbox missing = Outbox.of(postgres.dataSource()).table(postgres.schema + ".nowhere");

    assertThatThrownBy(() -> missing.publish(NOTE, "a")).isInstanceOf(PublishException.class)
        .hasMessageContaining("roll back the transaction");
  }

  @Test
  void aTableNameThatIsNotAPlainIdentifierIsRefused() {
    assertThatThrownBy(() -> outbox.table("outbox; DROP TABLE orders")).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("plain lower-case SQL identifier");
  }

  @Test
  void createSchemaCreatesTheOutboxAndInboxTablesIdempotently() throws Exception {
    PGSimpleDataSource inSchema = Postgres.dataSource("create-schema");
    inSchema.setCurrentSchema(postgres.schema);

    Outbox.of(inSchema).createSchema().createSchema();

    assertThat(postgres.count("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
        + postgres.schema + "' AND table_name IN ('omnibus_outbox', 'omnibus_inbox')")).isEqualTo(2);
  }
}
