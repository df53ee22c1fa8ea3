package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a subscription's concurrency comes from: the document's option, the builder, a group's own. */
class ConcurrencyOptionTest {

  private static final EventType<String> TEXT = EventType.of("dev.omnibus.test.text", String.class)
      .channel("orders");

  private static Path document(Path dir, String concurrency) throws Exception {
    Path document = dir.resolve("asyncapi.yaml");
    Files.writeString(document, """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          local: {host: %s, protocol: memory}
        channels:
          orders:
            address: orders
            x-omnibus-concurrency: 1
        operations:
          consumeOrders:
            action: receive
            channel: {$ref: '#/channels/orders'}
            x-omnibus-concurrency: %s
        """.formatted("concurrency-" + System.nanoTime(), concurrency));
    return document;
  }

  /** Whether {@code together} handlers of different keys get to run at the same time on this bus. */
  private static boolean handlersOverlap(EventBus bus, String group, int together) throws Exception {
    CountDownLatch inside = new CountDownLatch(together);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger handled = new AtomicInteger();
    bus.subscribe(TEXT, group, event -> {
      inside.countDown();
      release.await(30, TimeUnit.SECONDS);
      handled.incrementAndGet();
    });
    for (int i = 0; i < together; i++) {
      bus.publish(TEXT.event("e" + i).subject("key" + i).build()).toCompletableFuture().join();
    }
    boolean overlapped = inside.await(10, TimeUnit.SECONDS);
    release.countDown();
    Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> handled.get() == together);
    return overlapped;
  }

  @Test
  void theReceiveOperationsConcurrencyBeatsTheChannelsAndRunsHandlersAtOnce(@TempDir Path dir) throws Exception {
    try (EventBus bus = EventBus.builder().asyncApi(document(dir, "4")).environment(name -> null).build()) {
      assertThat(handlersOverlap(bus, "billing", 4)).isTrue();
    }
  }

  @Test
  void aGroupsOwnConcurrencyBeatsTheDocument(@TempDir Path dir) throws Exception {
    try (EventBus bus = EventBus.builder().asyncApi(document(dir, "4")).concurrency("billing", 1)
        .environment(name -> null).build()) {
      assertThat(handlersOverlap(bus, "billing", 2)).isFalse();
    }
  }

  @Test
  void aConcurrencyThatIsNotAWholeNumberInRangeFailsWhenTheBusIsBuiltNamingItsPath(@TempDir Path dir)
      throws Exception {
    Path document = document(dir, "many");

    assertThatThrownBy(() -> EventBus.builder().asyncApi(document).environment(name -> null).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("x-omnibus-concurrency")
        .hasMessageContaining("channels.orders")
        .hasMessageContaining("'many'");
  }

  @Test
  void theBuilderRefusesAConcurrencyOutOfRange() {
    assertThatIllegalArgumentException().isThrownBy(() -> EventBus.builder().concurrency(0));
    assertThatIllegalArgumentException().isThrownBy(() -> EventBus.builder().concurrency("g", 1025));
  }
}
