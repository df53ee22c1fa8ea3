package dev.omnibus.outbox;

import dev.omnibus.outbox.internal.Schema;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The PostgreSQL the tests use ({@code OMNIBUS_PG_URL}, default {@code jdbc:postgresql://127.0.0.1:5432/test} as
 * {@code postgres}), and a schema of their own per test class so parallel builds do not collide.
 */
final class Postgres implements AutoCloseable {

  static final String URL = System.getenv().getOrDefault("OMNIBUS_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
  static final String USER = System.getenv().getOrDefault("OMNIBUS_PG_USER", "postgres");

  final String schema = "omnibus_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
      .toLowerCase(Locale.ROOT);
  final String outbox = schema + ".outbox";
  final String inbox = schema + ".inbox";

  private Postgres() {}

  /** Skips (fails with {@code CI=true}) when PostgreSQL is not there; else a fresh schema with both tables. */
  static Postgres start() {
    Postgres postgres = new Postgres();
    try (Connection connection = dataSource("probe").getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + postgres.schema);
    } catch (SQLException e) {
      String message = "PostgreSQL is not reachable at " + URL + " (" + e.getMessage() + "): install it "
          + "(apt-get install postgresql) and start it (pg_ctlcluster 15 main start), or set OMNIBUS_PG_URL";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new AssertionError(message + "; CI=true requires it", e);
      }
      Assumptions.abort(message);
    }
    Schema.create(postgres.dataSource(), postgres.outbox, postgres.inbox);
    return postgres;
  }

  DataSource dataSource() {
    return dataSource(schema);
  }

  /** A data source whose connections carry this application name, to find (and kill) them in pg_stat_activity. */
  static PGSimpleDataSource dataSource(String applicationName) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(URL);
    dataSource.setUser(USER);
    dataSource.setApplicationName(applicationName);
    return dataSource;
  }

  /** Runs one statement, returning the update count (or -1 for a query). */
  int execute(String sql) throws SQLException {
    try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement()) {
      return statement.execute(sql) ? -1 : statement.getUpdateCount();
    }
  }

  /** One number from a query. */
  long count(String sql) throws SQLException {
    try (Connection connection = dataSource().getConnection(); Statement statement = connection.createStatement();
        var result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
}
