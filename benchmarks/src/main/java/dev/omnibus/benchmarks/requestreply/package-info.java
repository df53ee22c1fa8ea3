/** The request/reply section: round-trip latency of {@code EventBus.request} on each binding. */
@NullMarked
package dev.omnibus.benchmarks.requestreply;

import org.jspecify.annotations.NullMarked;
