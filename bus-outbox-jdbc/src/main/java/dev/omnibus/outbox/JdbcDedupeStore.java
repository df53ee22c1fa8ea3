package dev.omnibus.outbox;

import dev.omnibus.DedupeStore;
import dev.omnibus.outbox.internal.Schema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A {@link DedupeStore} in a database table, shared by every instance of a service and kept across restarts:
 * {@code EventBus.builder().dedupe(JdbcDedupeStore.of(dataSource, Duration.ofDays(7)))}.
 *
 * <p>The mark is written after the handler returned, in its own transaction: a crash between the two hands the event
 * out again. When the handler's effect is in the same database, {@link Inbox} commits both together instead.
 *
 * <p>Thread-safe. A database error is thrown as an {@link IllegalStateException}, which makes the bus hand the event
 * out again.
 */
public final class JdbcDedupeStore implements DedupeStore {

  private final DataSource dataSource;
  private final String table;
  private final Duration window;

  private JdbcDedupeStore(DataSource dataSource, String table, Duration window) {
    this.dataSource = dataSource;
    this.table = table;
    this.window = window;
  }

  /** A store on the table {@code omnibus_inbox} remembering each event for {@code window}. */
  public static JdbcDedupeStore of(DataSource dataSource, Duration window) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (Objects.requireNonNull(window, "window").isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive");
    }
    return new JdbcDedupeStore(dataSource, Inbox.DEFAULT_TABLE, window);
  }

  /** This store on another table (same columns as {@code omnibus_inbox}). */
  public JdbcDedupeStore table(String table) {
    return new JdbcDedupeStore(dataSource, Schema.checkName(Objects.requireNonNull(table, "table")), window);
  }

  @Override
  public boolean wasHandled(String key) {
    String sql = "SELECT 1 FROM " + table + " WHERE key = ? AND handled_at >= ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, key);
      statement.setTimestamp(2, Timestamp.from(Instant.now().minus(window)));
      try (ResultSet result = statement.executeQuery()) {
        return result.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read the dedupe table " + table + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void markHandled(String key) {
    String sql = "INSERT INTO " + table + " (key) VALUES (?) ON CONFLICT (key) DO UPDATE SET handled_at = now()";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, key);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not write the dedupe table " + table + ": " + e.getMessage(), e);
    }
  }

  /** Deletes the marks older than the window; run it now and then (a scheduled job). Returns how many. */
  public int purge() {
    String sql = "DELETE FROM " + table + " WHERE handled_at < ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setTimestamp(1, Timestamp.from(Instant.now().minus(window)));
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not purge the dedupe table " + table + ": " + e.getMessage(), e);
    }
  }
}
