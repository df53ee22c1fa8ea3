/**
 * The transactional outbox and the durable inbox on JDBC (PostgreSQL first).
 *
 * <p>{@link dev.omnibus.outbox.Outbox} writes an event in the caller's database transaction;
 * {@link dev.omnibus.outbox.OutboxRelay} publishes the committed rows through an {@link dev.omnibus.EventBus} in order
 * per key and marks them sent once the broker confirmed. {@link dev.omnibus.outbox.Inbox} commits a handler's database
 * work and the "seen" mark of its event in one transaction; {@link dev.omnibus.outbox.JdbcDedupeStore} is a
 * {@link dev.omnibus.DedupeStore} shared by every instance of a service. See {@code docs/outbox.md}.
 */
@NullMarked
package dev.omnibus.outbox;

import org.jspecify.annotations.NullMarked;
