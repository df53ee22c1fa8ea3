package dev.omnibus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.memory.InMemoryBroker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A bus's request/reply as meters: requests by outcome, and those waiting. */
class RequestMetricsTest {

  private static final EventType<String> QUESTION = EventType.of("dev.omnibus.test.question", String.class)
      .channel("rpc");
  private static final EventType<String> ANSWER = EventType.of("dev.omnibus.test.answer", String.class);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private double requests(String outcome) {
    return registry.get(OmnibusMetrics.REQUESTS).tag(OmnibusMetrics.REQUEST_OUTCOME, outcome).functionCounter()
        .count();
  }

  @Test
  void requestsAreCountedByOutcome() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus requester = EventBus.builder().server(broker.server()).channel("rpc", "rpc").build();
        EventBus responder = EventBus.builder().server(broker.server()).channel("rpc", "rpc").build()) {
      OmnibusMetrics.of(registry).bindRequests(requester);
      responder.respond(QUESTION, "responders", ANSWER, request -> {
        if ("fail".equals(request.data())) {
          throw new IllegalStateException("no");
        }
        return "re:" + request.data();
      });

      requester.request(QUESTION, "q", ANSWER, Duration.ofSeconds(10)).toCompletableFuture()
          .orTimeout(10, TimeUnit.SECONDS).join();
      assertThatThrownBy(() -> requester.request(QUESTION, "fail", ANSWER, Duration.ofSeconds(10))
          .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join()).hasMessageContaining("no");

      assertThat(requests("sent")).isEqualTo(2);
      assertThat(requests("replied")).isEqualTo(2);
      assertThat(requests("failed")).isEqualTo(1);
      assertThat(requests("timed_out")).isZero();
      assertThat(registry.get(OmnibusMetrics.REQUESTS_PENDING).tag(OmnibusMetrics.SYSTEM, "memory").gauge().value())
          .isZero();
    }
  }
}
