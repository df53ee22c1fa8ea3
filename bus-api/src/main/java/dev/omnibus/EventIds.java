package dev.omnibus;

import java.security.SecureRandom;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Makes the ids of new events: UUID version 7 strings (RFC 9562), cheap enough to make one per publish.
 *
 * <p>Layout of the 128 bits: a 48-bit Unix time in milliseconds, the version ({@code 7}), a 16-bit counter (its top
 * 12 bits as {@code rand_a}, its low 4 bits at the top of {@code rand_b}), the variant ({@code 10}), then 58 bits drawn
 * once per generator from {@link SecureRandom}. The time and counter advance together as one 64-bit value that only
 * ever grows: a new millisecond resets the counter, the 65,537th id within one millisecond (or a clock that goes back)
 * takes the next millisecond value instead, so one generator never repeats an id and its ids sort in the order they
 * were made. Two processes or hosts differ in their random 58 bits, so ids stay unique across them without a
 * {@code SecureRandom} draw per event (which was a fifth of the publishing thread's time).
 *
 * <p>Thread-safe and lock-free.
 */
final class EventIds {

  private static final int COUNTER_BITS = 16;
  private static final long NODE_MASK = (1L << 58) - 1;
  private static final long VARIANT = 0b10L << 62;
  private static final long VERSION = 7L << 12;

  private static final EventIds DEFAULT = new EventIds(System::currentTimeMillis, new SecureRandom().nextLong());

  private final LongSupplier clock;
  private final long node;
  /** The last id's milliseconds (high 48 bits) and counter (low 16 bits). */
  private final AtomicLong last = new AtomicLong();

  EventIds(LongSupplier clock, long random) {
    this.clock = clock;
    this.node = random & NODE_MASK;
  }

  /** A new event id from the process-wide generator. */
  static String next() {
    return DEFAULT.nextId();
  }

  /** A new id, greater than every id this generator made before. */
  String nextId() {
    long now = clock.getAsLong() << COUNTER_BITS;
    long prev;
    long state;
    do {
      prev = last.get();
      state = Math.max(prev + 1, now);
    } while (!last.compareAndSet(prev, state));
    long millis = state >>> COUNTER_BITS;
    long counter = state & ((1L << COUNTER_BITS) - 1);
    long mostSignificant = millis << 16 | VERSION | counter >>> 4;
    long leastSignificant = VARIANT | (counter & 0xF) << 58 | node;
    return new UUID(mostSignificant, leastSignificant).toString();
  }
}
