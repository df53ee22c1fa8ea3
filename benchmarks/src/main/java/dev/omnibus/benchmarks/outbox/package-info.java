/** The outbox section: events per second through the transactional outbox's relay against direct publishes. */
@NullMarked
package dev.omnibus.benchmarks.outbox;

import org.jspecify.annotations.NullMarked;
