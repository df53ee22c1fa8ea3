package dev.omnibus.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.Event;
import dev.omnibus.EventType;
import dev.omnibus.PublishException;
import dev.omnibus.outbox.internal.Schema;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Writes events to an outbox table in the caller's database transaction, so that an event exists exactly when the
 * business write it describes committed. An {@link OutboxRelay} publishes the committed rows afterwards.
 *
 * <pre>{@code
 * Outbox outbox = Outbox.of(dataSource);
 * try (Connection connection = dataSource.getConnection()) {
 *   connection.setAutoCommit(false);
 *   insertOrder(connection, order);
 *   outbox.publish(connection, ORDER_PAID, new OrderPaid(order.id(), order.total(), "EUR"));
 *   connection.commit(); // the order and its event, or neither
 * }
 * }</pre>
 *
 * <p>The row holds the CloudEvent as the bus would build it ({@link EventType#event(Object)}: a fresh id, the time,
 * the subject and dataschema of the type) with its payload encoded by the type's codec; the relay publishes it with
 * the same id, source and time (kept to the microsecond), so a consumer's dedupe by source and id recognises a re-sent
 * row. Extension values other than strings, integers and booleans are kept in their string form.
 *
 * <p>Thread-safe; holds no connection of its own.
 */
public final class Outbox {

  static final String DEFAULT_TABLE = "omnibus_outbox";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource dataSource;
  private final String table;
  private final @Nullable URI source;
  private final String insert;

  private Outbox(DataSource dataSource, String table, @Nullable URI source) {
    this.dataSource = dataSource;
    this.table = table;
    this.source = source;
    this.insert = "INSERT INTO " + table + " (event_id, event_source, event_type, channel, subject, ordering_key, "
        + "event_time, data_schema, extensions, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)";
  }

  /** An outbox on the table {@code omnibus_outbox} of this data source. */
  public static Outbox of(DataSource dataSource) {
    return new Outbox(Objects.requireNonNull(dataSource, "dataSource"), DEFAULT_TABLE, null);
  }

  /** This outbox on another table, e.g. {@code orders.outbox}; plain lower-case identifiers only. */
  public Outbox table(String table) {
    return new Outbox(dataSource, Schema.checkName(Objects.requireNonNull(table, "table")), source);
  }

  /**
   * Writes this CloudEvents {@code source} on events that set none. Without it, such events take the source of the
   * relay's bus when they are published.
   */
  public Outbox source(URI source) {
    return new Outbox(dataSource, table, Objects.requireNonNull(source, "source"));
  }

  /** The outbox table's name. */
  public String table() {
    return table;
  }

  /**
   * Creates the outbox table and its indexes if they do not exist (the script {@code dev/omnibus/outbox/postgresql.sql}
   * of this jar, which also creates the inbox table {@code omnibus_inbox}); idempotent.
   *
   * @throws dev.omnibus.ConfigurationException when the tables cannot be created
   */
  public Outbox createSchema() {
    Schema.create(dataSource, table, Inbox.DEFAULT_TABLE);
    return this;
  }

  /**
   * Writes an event with this payload on the caller's connection, inside its transaction: it is published once the
   * transaction committed, never if it rolled back.
   *
   * @return the event as written (its id is the CloudEvents id the consumers will see)
   * @throws PublishException when the row cannot be written (the caller's transaction should roll back)
   * @throws dev.omnibus.SerializationException when the payload cannot be encoded
   */
  public <T> Event<T> publish(Connection connection, EventType<T> type, @Nullable T data) {
    Objects.requireNonNull(type, "type");
    // The table keeps microseconds: the event returned is the one the relay will publish.
    return publish(connection, type.event(data).time(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS))
        .build());
  }

  /** Writes a fully built event on the caller's connection; as {@link #publish(Connection, EventType, Object)}. */
  public <T> Event<T> publish(Connection connection, Event<T> event) {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(event, "event");
    EventType<T> type = event.eventType();
    T data = event.data();
    byte[] bytes = data == null ? null : type.codec().encode(data);
    URI eventSource = event.source() != null ? event.source() : source;
    Object partitionKey = event.extension("partitionkey");
    String key = partitionKey != null ? String.valueOf(partitionKey) : event.subject();
    try (PreparedStatement statement = connection.prepareStatement(insert)) {
      statement.setString(1, event.id());
      statement.setString(2, eventSource == null ? null : eventSource.toString());
      statement.setString(3, event.type());
      statement.setString(4, type.channel());
      statement.setString(5, event.subject());
      statement.setString(6, key);
      OffsetDateTime time = event.time();
      statement.setTimestamp(7, time == null ? null : Timestamp.from(time.toInstant()));
      statement.setString(8, event.dataSchema() == null ? null : event.dataSchema().toString());
      statement.setString(9, extensions(event.extensions()));
      if (bytes == null) {
        statement.setNull(10, Types.BINARY);
      } else {
        statement.setBytes(10, bytes);
      }
      statement.executeUpdate();
      return event;
    } catch (SQLException e) {
      throw PublishException.of(type.channel(), "outbox " + table,
          "the outbox row could not be written (" + e.getMessage() + "); roll back the transaction", e);
    }
  }

  /**
   * Writes an event on a connection of the data source: with a transaction-aware data source (Spring's
   * {@code TransactionAwareDataSourceProxy}, a JTA data source) that is the current transaction's connection; with a
   * plain one, the row commits on its own (auto-commit), which is no better than publishing directly.
   */
  public <T> Event<T> publish(EventType<T> type, @Nullable T data) {
    try (Connection connection = dataSource.getConnection()) {
      return publish(connection, type, data);
    } catch (SQLException e) {
      throw PublishException.of(type.channel(), "outbox " + table,
          "no database connection (" + e.getMessage() + ")", e);
    }
  }

  /** Extension values as JSON: strings, numbers and booleans as such, the other CloudEvents types as strings. */
  private static String extensions(Map<String, Object> extensions) {
    Map<String, Object> json = new LinkedHashMap<>();
    extensions.forEach((name, value) -> json.put(name, value instanceof Integer || value instanceof Boolean
        || value instanceof String ? value
        : value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes) : value.toString()));
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("extensions are strings, numbers and booleans", e);
    }
  }
}
