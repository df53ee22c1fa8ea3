package dev.omnibus.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.outbox.internal.OutboxRow;
import dev.omnibus.outbox.internal.Schema;
import java.net.URI;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the committed rows of an outbox table through a bus, in order per key, and marks each sent only after the
 * broker confirmed it.
 *
 * <pre>{@code
 * OutboxRelay relay = OutboxRelay.builder(dataSource, bus).types(ORDER_PAID, ORDER_SHIPPED).build().start();
 * // ... on shutdown, before the bus:
 * relay.close();
 * }</pre>
 *
 * <p>One pass ({@link #flush()}) runs in one database transaction: it locks the first unsent row of each key (a row
 * is eligible only when no earlier unsent row of its key exists) with {@code FOR UPDATE SKIP LOCKED}, and the rows
 * following it of the same key, publishes each key's rows one after the other (each after the previous one was
 * confirmed; keys in parallel), then marks the confirmed rows {@code SENT} and commits. Several relays on one table
 * therefore share the work, and two never publish one key at the same time. A row whose publish failed stops its key
 * for this pass and is tried again after a backoff. A row that failed {@link Builder#maxAttempts(int)} times for a
 * reason of its own (an unknown type, a payload that does not decode, a validation refusal) is marked {@code DEAD} and
 * its key goes on; one the broker did not confirm ({@link PublishException}, or a closed bus) is never dead, it waits
 * for the broker with the backoff. A relay that dies mid-pass leaves its rows unsent, so another pass publishes them
 * again: delivery is at least once, with the original CloudEvents id, source and time, for the consumer to dedupe.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and bounded by the publish timeout.
 */
public final class OutboxRelay implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource dataSource;
  private final EventBus bus;
  private final String table;
  private final Map<String, EventType<?>> types;
  private final int batchSize;
  private final Duration pollInterval;
  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration retention;
  private final Duration publishTimeout;
  private final Object wakeUp = new Object();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile @Nullable Thread thread;
  private volatile Instant lastPurge = Instant.EPOCH;

  private OutboxRelay(Builder builder) {
    this.dataSource = builder.dataSource;
    this.bus = builder.bus;
    this.table = builder.table;
    this.types = Map.copyOf(builder.types);
    this.batchSize = builder.batchSize;
    this.pollInterval = builder.pollInterval;
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.retention = builder.retention;
    this.publishTimeout = builder.publishTimeout;
  }

  /** A relay of the table {@code omnibus_outbox} of this data source through this bus. */
  public static Builder builder(DataSource dataSource, EventBus bus) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(bus, "bus"));
  }

  /** Starts the background thread that flushes while there are rows, and polls when there are none. */
  public OutboxRelay start() {
    if (closed.get()) {
      throw new IllegalStateException("This relay is closed; build another");
    }
    if (started.compareAndSet(false, true)) {
      Thread loop = new Thread(this::run, "omnibus-outbox-relay-" + table);
      loop.setDaemon(true);
      thread = loop;
      loop.start();
    }
    return this;
  }

  /** Ends {@link #start() polling} early, e.g. right after a transaction that wrote to the outbox committed. */
  public void wakeUp() {
    synchronized (wakeUp) {
      wakeUp.notifyAll();
    }
  }

  /**
   * One pass: publishes at most the batch size of eligible rows and marks the confirmed ones sent. Called by the
   * background thread; callable from any thread (passes of one relay or of several share the rows safely).
   *
   * @return how many rows were marked sent
   */
  public int flush() {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        int sent = flush(connection);
        connection.commit();
        return sent;
      } catch (SQLException | RuntimeException e) {
        rollback(connection);
        throw e;
      }
    } catch (SQLException e) {
      LOG.warn("Outbox relay pass on {} failed, rows stay unsent and are tried again: {}", table, e.getMessage());
      return 0;
    }
  }

  /** Deletes the sent rows older than the retention; the background thread does it about once a minute. */
  public int purgeSent() {
    String sql = "DELETE FROM " + table + " WHERE status = 'SENT' AND sent_at < ?";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setTimestamp(1, Timestamp.from(Instant.now().minus(retention)));
      return statement.executeUpdate();
    } catch (SQLException e) {
      LOG.warn("Purging the sent rows of {} failed: {}", table, e.getMessage());
      return 0;
    }
  }

  /** Stops the background thread after its pass under way; rows not confirmed stay unsent. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    wakeUp();
    Thread loop = thread;
    if (loop != null && loop != Thread.currentThread()) {
      try {
        loop.join(publishTimeout.plusSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void run() {
    while (!closed.get()) {
      int sent;
      try {
        sent = flush();
        if (Instant.now().isAfter(lastPurge.plus(Duration.ofMinutes(1)))) {
          lastPurge = Instant.now();
          purgeSent();
        }
      } catch (RuntimeException e) {
        LOG.warn("Outbox relay pass on {} failed: {}", table, e.toString());
        sent = 0;
      }
      if (sent == 0 && !closed.get()) {
        synchronized (wakeUp) {
          try {
            wakeUp.wait(Math.max(1, pollInterval.toMillis()));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }

  private int flush(Connection connection) throws SQLException {
    List<OutboxRow> rows = claim(connection);
    if (rows.isEmpty()) {
      return 0;
    }
    Set<Long> sent = ConcurrentHashMap.newKeySet();
    Map<Long, Throwable> failed = new ConcurrentHashMap<>();
    List<CompletableFuture<Boolean>> chains = new ArrayList<>();
    for (List<OutboxRow> group : byKey(rows).values()) {
      CompletableFuture<Boolean> chain = CompletableFuture.completedFuture(true);
      for (OutboxRow row : group) {
        chain = chain.thenCompose(ok -> !ok ? CompletableFuture.completedFuture(false)
            : publish(row).handle((ignored, error) -> {
              if (error == null) {
                sent.add(row.id());
                return true;
              }
              failed.put(row.id(), cause(error));
              return false;
            }));
      }
      chains.add(chain);
    }
    try {
      CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new))
          .get(publishTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("The broker did not confirm every outbox row of {} within {}: the unconfirmed stay unsent", table,
          publishTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException("the publish chains handle their errors", e);
    }
    Set<Long> confirmed = Set.copyOf(sent);
    markSent(connection, confirmed);
    for (Map.Entry<Long, Throwable> failure : failed.entrySet()) {
      markFailed(connection, rows, failure.getKey(), failure.getValue());
    }
    return confirmed.size();
  }

  /** Locks the first unsent row of each key, and the unsent rows after it of the same key, in id order. */
  private List<OutboxRow> claim(Connection connection) throws SQLException {
    String heads = "SELECT o.id, o.ordering_key FROM " + table + " o WHERE o.status = 'PENDING' "
        + "AND o.next_attempt_at <= now() AND NOT EXISTS (SELECT 1 FROM " + table + " p WHERE p.status = 'PENDING' "
        + "AND p.ordering_key = o.ordering_key AND p.id < o.id) ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED";
    List<Long> ids = new ArrayList<>();
    Set<String> keys = new LinkedHashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(heads)) {
      statement.setInt(1, batchSize);
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          ids.add(result.getLong(1));
          String key = result.getString(2);
          if (key != null) {
            keys.add(key);
          }
        }
      }
    }
    if (ids.isEmpty()) {
      return List.of();
    }
    // The rows after a locked head cannot be claimed by another relay (their head is unsent), so these locks do not
    // wait; taking them makes a key's rows go out in one pass instead of one per pass.
    String all = "SELECT " + OutboxRow.COLUMNS + " FROM " + table + " WHERE status = 'PENDING' AND (id = ANY(?) "
        + "OR ordering_key = ANY(?)) ORDER BY id LIMIT ? FOR UPDATE";
    List<OutboxRow> rows = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(all)) {
      Array idArray = connection.createArrayOf("bigint", ids.toArray());
      Array keyArray = connection.createArrayOf("text", keys.toArray());
      statement.setArray(1, idArray);
      statement.setArray(2, keyArray);
      statement.setInt(3, Math.max(batchSize, ids.size()));
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(OutboxRow.read(result));
        }
      }
    }
    return rows;
  }

  private static Map<Object, List<OutboxRow>> byKey(List<OutboxRow> rows) {
    Map<Object, List<OutboxRow>> groups = new LinkedHashMap<>();
    for (OutboxRow row : rows) {
      Object key = row.key() != null ? row.key() : row.id();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
    }
    return groups;
  }

  private CompletableFuture<Void> publish(OutboxRow row) {
    try {
      EventType<?> type = types.get(row.type());
      if (type == null) {
        return CompletableFuture.failedFuture(new IllegalStateException("no EventType for CloudEvents type '"
            + row.type() + "': pass it to OutboxRelay.builder(...).types(...)"));
      }
      return bus.publish(rebuild(type, row)).toCompletableFuture();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The event as it was written: same id, source, time, subject, dataschema and extensions. */
  private static <T> Event<T> rebuild(EventType<T> type, OutboxRow row) {
    EventType<T> onChannel = row.channel().equals(type.channel()) ? type : type.channel(row.channel());
    T data = row.data() == null ? null : type.codec().decode(row.data());
    Event.Builder<T> event = onChannel.event(data).id(row.eventId()).time(row.time()).subject(row.subject());
    if (row.source() != null) {
      event.source(URI.create(row.source()));
    }
    event.dataSchema(row.dataSchema() == null ? null : URI.create(row.dataSchema()));
    try {
      Map<String, Object> extensions = JSON.readValue(row.extensions(), new TypeReference<Map<String, Object>>() {});
      extensions.forEach(event::extension);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("extensions of outbox row " + row.id() + " are not a JSON object", e);
    }
    return event.build();
  }

  private void markSent(Connection connection, Set<Long> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    String sql = "UPDATE " + table + " SET status = 'SENT', sent_at = now(), last_error = NULL WHERE id = ANY(?)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
      statement.executeUpdate();
    }
  }

  /**
   * Counts a failure. Only a row's own failures (an unknown type, a payload that does not decode or is refused) make
   * it dead; a broker that does not confirm, or a closed bus, says nothing about the row, which waits and retries.
   */
  private void markFailed(Connection connection, List<OutboxRow> rows, long id, Throwable cause) throws SQLException {
    int attempts = rows.stream().filter(row -> row.id() == id).findFirst().map(OutboxRow::attempts).orElse(0) + 1;
    boolean brokerUnavailable = cause instanceof PublishException || cause instanceof TransportClosedException;
    boolean dead = attempts >= maxAttempts && !brokerUnavailable;
    String error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    String sql = "UPDATE " + table + " SET attempts = ?, last_error = ?, next_attempt_at = ?, status = ? WHERE id = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setInt(1, attempts);
      statement.setString(2, error);
      statement.setTimestamp(3, Timestamp.from(Instant.now().plus(backoff(attempts))));
      statement.setString(4, dead ? "DEAD" : "PENDING");
      statement.setLong(5, id);
      statement.executeUpdate();
    }
    if (dead) {
      LOG.warn("Outbox row {} of {} failed {} times and is dead-lettered (status DEAD): {}. Set its status to "
          + "'PENDING' and attempts to 0 to send it again", id, table, attempts, error);
    } else {
      LOG.info("Outbox row {} of {} failed (attempt {} of {}), retried after the backoff: {}", id, table, attempts,
          maxAttempts, error);
    }
  }

  private Duration backoff(int attempts) {
    long factor = 1L << Math.min(20, attempts - 1);
    Duration backoff = initialBackoff.multipliedBy(factor);
    return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
  }

  private static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
  }

  private static void rollback(Connection connection) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      LOG.debug("Rollback failed; the connection closes, which rolls back", e);
    }
  }

  /** Builds an {@link OutboxRelay}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private final EventBus bus;
    private String table = Outbox.DEFAULT_TABLE;
    private final Map<String, EventType<?>> types = new HashMap<>();
    private int batchSize = 100;
    private Duration pollInterval = Duration.ofMillis(200);
    private int maxAttempts = 10;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private Duration retention = Duration.ofDays(7);
    private Duration publishTimeout = Duration.ofSeconds(30);

    private Builder(DataSource dataSource, EventBus bus) {
      this.dataSource = dataSource;
      this.bus = bus;
    }

    /** The outbox table, as given to {@link Outbox#table(String)}. */
    public Builder table(String table) {
      this.table = Schema.checkName(Objects.requireNonNull(table, "table"));
      return this;
    }

    /** The event types whose rows this relay publishes (found by CloudEvents type); a row of another is a failure. */
    public Builder types(EventType<?>... types) {
      for (EventType<?> type : types) {
        this.types.put(type.type(), type);
      }
      return this;
    }

    /** At most this many rows per pass (default 100). */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1");
      }
      this.batchSize = batchSize;
      return this;
    }

    /** How long the background thread waits when a pass found nothing (default 200 ms). */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = Objects.requireNonNull(pollInterval, "pollInterval");
      return this;
    }

    /**
     * A row that failed this many times for a reason of its own is marked {@code DEAD} (default 10, at least 1); the
     * broker not confirming does not count towards it.
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1");
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The wait before retrying a failed row: doubling from {@code initial} up to {@code max} (1 s to 5 min). */
    public Builder backoff(Duration initial, Duration max) {
      if (initial.isNegative() || max.compareTo(initial) < 0) {
        throw new IllegalArgumentException("backoff needs 0 <= initial <= max");
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** How long sent rows are kept before {@link OutboxRelay#purgeSent()} deletes them (default 7 days). */
    public Builder retention(Duration retention) {
      this.retention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** How long a pass waits for the broker's confirms (default 30 s); the unconfirmed rows stay unsent. */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = Objects.requireNonNull(publishTimeout, "publishTimeout");
      return this;
    }

    /** The relay, not yet started: call {@link OutboxRelay#start()}, or {@link OutboxRelay#flush()} yourself. */
    public OutboxRelay build() {
      return new OutboxRelay(this);
    }
  }
}
