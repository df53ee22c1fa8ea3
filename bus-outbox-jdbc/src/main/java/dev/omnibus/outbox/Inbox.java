package dev.omnibus.outbox;

import dev.omnibus.Event;
import dev.omnibus.EventHandler;
import dev.omnibus.outbox.internal.Schema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles each event at most once in effect: the handler's database work and the "seen" mark of its event commit in
 * one transaction, so a redelivered event (same consumer, CloudEvents {@code source} and {@code id}) finds the mark
 * and changes nothing, and a handler that failed left neither.
 *
 * <pre>{@code
 * Inbox inbox = Inbox.of(dataSource);
 * bus.subscribe(ORDER_PAID, "billing", inbox.handler("billing", (event, connection) ->
 *     insertInvoice(connection, event.data())));
 * }</pre>
 *
 * <p>The mark is inserted first ({@code INSERT ... ON CONFLICT DO NOTHING}), so a second delivery of the same event
 * handled at the same time waits for the first transaction and then finds the mark. Thread-safe.
 */
public final class Inbox {

  static final String DEFAULT_TABLE = "omnibus_inbox";
  private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);

  private final DataSource dataSource;
  private final String table;

  private Inbox(DataSource dataSource, String table) {
    this.dataSource = dataSource;
    this.table = table;
  }

  /** An inbox on the table {@code omnibus_inbox} of this data source. */
  public static Inbox of(DataSource dataSource) {
    return new Inbox(Objects.requireNonNull(dataSource, "dataSource"), DEFAULT_TABLE);
  }

  /** This inbox on another table (same columns as {@code omnibus_inbox}). */
  public Inbox table(String table) {
    return new Inbox(dataSource, Schema.checkName(Objects.requireNonNull(table, "table")));
  }

  /** Creates the inbox table (and the outbox table {@code omnibus_outbox}) if they do not exist; idempotent. */
  public Inbox createSchema() {
    Schema.create(dataSource, Outbox.DEFAULT_TABLE, table);
    return this;
  }

  /**
   * A handler for {@code EventBus.subscribe} that runs {@code work} in a transaction with the event's mark.
   *
   * @param consumer names the consumer (e.g. its group) so that two consumers of one event each handle it once
   */
  public <T> EventHandler<T> handler(String consumer, Work<T> work) {
    Objects.requireNonNull(consumer, "consumer");
    Objects.requireNonNull(work, "work");
    String sql = "INSERT INTO " + table + " (key) VALUES (?) ON CONFLICT (key) DO NOTHING";
    return event -> {
      String key = consumer + " " + event.source() + " " + event.id();
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(false);
        try {
          int inserted;
          try (PreparedStatement mark = connection.prepareStatement(sql)) {
            mark.setString(1, key);
            inserted = mark.executeUpdate();
          }
          if (inserted == 0) {
            connection.rollback();
            LOG.debug("Event {} from {} was handled already by {}: skipped", event.id(), event.source(), consumer);
            return;
          }
          work.handle(event, connection);
          connection.commit();
        } catch (Exception e) {
          rollback(connection);
          throw e;
        }
      }
    };
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("Rollback failed; closing the connection rolls back", e);
    }
  }

  /**
   * A handler's work on the inbox's transaction. It must not commit, roll back or close the connection.
   *
   * @param <T> the payload type
   */
  @FunctionalInterface
  public interface Work<T> {
    /** Does the event's database work on this connection; throwing rolls it back with the mark. */
    void handle(Event<T> event, Connection connection) throws Exception;
  }
}
