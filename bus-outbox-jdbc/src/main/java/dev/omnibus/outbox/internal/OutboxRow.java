package dev.omnibus.outbox.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jspecify.annotations.Nullable;

/**
 * One outbox row as the relay reads it.
 *
 * @param key the ordering key, or {@code null} for an event without order
 */
public record OutboxRow(long id, String eventId, @Nullable String source, String type, String channel,
    @Nullable String subject, @Nullable String key, @Nullable OffsetDateTime time, @Nullable String dataSchema,
    String extensions, byte @Nullable [] data, int attempts) {

  /** The columns {@link #read(ResultSet)} reads, in its order. */
  public static final String COLUMNS = "id, event_id, event_source, event_type, channel, subject, ordering_key, "
      + "event_time, data_schema, extensions::text, data, attempts";

  /** Reads the current row of a result set selected with {@link #COLUMNS}. */
  public static OutboxRow read(ResultSet rows) throws SQLException {
    Timestamp time = rows.getTimestamp(8);
    return new OutboxRow(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5),
        rows.getString(6), rows.getString(7), time == null ? null : time.toInstant().atOffset(ZoneOffset.UTC),
        rows.getString(9), rows.getString(10), rows.getBytes(11), rows.getInt(12));
  }
}
