package dev.omnibus.outbox.internal;

import dev.omnibus.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** The migration script and the table names it is run with. */
public final class Schema {

  /** The script users can run themselves, as shipped. */
  public static final String SCRIPT = "/dev/omnibus/outbox/postgresql.sql";

  private static final Pattern NAME = Pattern.compile("([a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*");

  private Schema() {}

  /** Checks a table name once at the public entry: it is pasted into SQL, so only plain identifiers pass. */
  public static String checkName(String table) {
    if (!NAME.matcher(table).matches() || table.length() > 60) {
      throw ConfigurationException.of("Table name '" + table + "' is not a plain lower-case SQL identifier "
          + "(optionally schema-qualified, e.g. app.omnibus_outbox): use letters, digits and underscores");
    }
    return table;
  }

  /** Runs the script with the outbox and inbox tables named as given; idempotent. */
  public static void create(DataSource dataSource, String outboxTable, String inboxTable) {
    String script = script()
        .replace("omnibus_outbox_pending", "\u0001").replace("omnibus_outbox_sent", "\u0002")
        .replace("omnibus_inbox_handled", "\u0003")
        .replace("omnibus_outbox", outboxTable).replace("omnibus_inbox", inboxTable)
        .replace("\u0001", flat(outboxTable) + "_pending").replace("\u0002", flat(outboxTable) + "_sent")
        .replace("\u0003", flat(inboxTable) + "_handled");
    try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
      for (String sql : statements(script)) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw ConfigurationException.because("Could not create the outbox/inbox tables (" + e.getMessage()
          + "): run " + SCRIPT + " from the bus-outbox-jdbc jar yourself, or give the user the CREATE right", e);
    }
  }

  /** Index names are unqualified: an index lives in its table's schema. */
  private static String flat(String table) {
    return table.substring(table.indexOf('.') + 1);
  }

  private static String[] statements(String script) {
    StringBuilder text = new StringBuilder();
    for (String line : script.split("\n")) {
      int comment = line.indexOf("--");
      text.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
    }
    return java.util.Arrays.stream(text.toString().split(";")).map(String::strip).filter(s -> !s.isEmpty())
        .toArray(String[]::new);
  }

  private static String script() {
    try (InputStream in = Schema.class.getResourceAsStream(SCRIPT)) {
      if (in == null) {
        throw new IllegalStateException(SCRIPT + " is missing from the bus-outbox-jdbc jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
