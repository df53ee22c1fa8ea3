package dev.omnibus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.envelope.WireMessage;
import dev.omnibus.memory.InMemoryBroker;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tracing on the in-memory binding; the broker's log shows the context as a header of the message. */
class InMemoryTracingTest extends TracingContract {

  private static final InMemoryBroker MEMORY = InMemoryBroker.create();

  @Override
  TestBroker broker() {
    return TestBroker.memory(MEMORY);
  }

  @Test
  void theMessageOnTheBrokerCarriesTheContextAsATraceparentHeader() {
    join(traced().publish(PLACED, new Order("o-1", 10)));
    List<WireMessage> messages = MEMORY.publishedMessages(orders);
    assertThat(messages).singleElement().extracting(message -> message.headers().get("traceparent"))
        .isEqualTo(traceparent(awaitSpan(named("send orders"))));
  }
}
