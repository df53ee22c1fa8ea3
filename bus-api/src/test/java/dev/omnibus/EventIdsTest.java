package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EventIdsTest {

  private static final String CANONICAL = "[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  @Test
  void anIdIsACanonicalUuidVersion7WithTheCurrentTime() {
    long before = System.currentTimeMillis();
    String id = EventIds.next();
    long after = System.currentTimeMillis();

    assertThat(id).hasSize(36).matches(CANONICAL);
    UUID uuid = UUID.fromString(id);
    assertThat(uuid.version()).isEqualTo(7);
    assertThat(uuid.variant()).isEqualTo(2);
    assertThat(uuid.toString()).isEqualTo(id);
    long millis = uuid.getMostSignificantBits() >>> 16;
    // Never earlier than now; later only if this JVM made more than 65,536 ids in one millisecond before.
    assertThat(millis).isGreaterThanOrEqualTo(before).isLessThan(after + 60_000);
  }

  @Test
  void aNewEventGetsSuchAnId() {
    EventType<String> type = EventType.of("com.example.test.id", String.class).channel("ids");

    assertThat(type.event("x").build().id()).matches(CANONICAL);
  }

  @Test
  void idsFromOneThreadAreStrictlyIncreasing() {
    String previous = EventIds.next();
    for (int i = 0; i < 200_000; i++) {
      String id = EventIds.next();
      // Fixed-length lower-case hex: the string order is the order of the 128-bit values.
      assertThat(id.compareTo(previous)).as("%s after %s", id, previous).isPositive();
      previous = id;
    }
  }

  @Test
  void idsFromManyThreadsAreUnique() throws Exception {
    int threads = 8;
    int each = 50_000;
    Set<String> ids = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            ids.add(EventIds.next());
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(1, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(ids).hasSize(threads * each);
  }

  @Test
  void moreThanTheCounterHoldsInOneMillisecondMovesToTheNextMillisecondWithoutRepeating() {
    long frozen = 1_767_225_600_000L;
    EventIds generator = new EventIds(() -> frozen, 42);
    Set<String> ids = new HashSet<>();
    String previous = "";
    for (int i = 0; i < 3 * 65_536; i++) {
      String id = generator.nextId();
      assertThat(id.compareTo(previous)).isPositive();
      ids.add(id);
      previous = id;
    }

    assertThat(ids).hasSize(3 * 65_536);
    assertThat(UUID.fromString(previous).getMostSignificantBits() >>> 16).isEqualTo(frozen + 2);
    assertThat(UUID.fromString(previous).version()).isEqualTo(7);
    assertThat(UUID.fromString(previous).variant()).isEqualTo(2);
  }

  @Test
  void aClockThatGoesBackDoesNotRepeatOrReorderIds() {
    long[] now = {1_767_225_600_000L};
    EventIds generator = new EventIds(() -> now[0], 42);
    String first = generator.nextId();
    now[0] -= 5_000;
    String second = generator.nextId();

    assertThat(second).isGreaterThan(first);
  }

  @Test
  void generatorsWithDifferentRandomPartsMakeDifferentIdsAtTheSameInstant() {
    long frozen = 1_767_225_600_000L;
    EventIds one = new EventIds(() -> frozen, 1);
    EventIds other = new EventIds(() -> frozen, 2);

    assertThat(one.nextId()).isNotEqualTo(other.nextId());
  }
}
