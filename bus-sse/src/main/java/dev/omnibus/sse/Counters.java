package dev.omnibus.sse;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The counters behind {@link SseStats}, shared by a bridge's feeds, handlers and client streams. Thread-safe. */
final class Counters {
  final AtomicInteger connected = new AtomicInteger();
  final LongAdder accepted = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder dropped = new LongAdder();

  SseStats snapshot() {
    return new SseStats(connected.get(), accepted.sum(), refused.sum(), received.sum(), delivered.sum(),
        dropped.sum());
  }
}
