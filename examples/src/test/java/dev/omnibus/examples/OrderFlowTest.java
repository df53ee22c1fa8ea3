package dev.omnibus.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The example as users run it: from its AsyncAPI document, on the in-memory server. */
class OrderFlowTest {

  @Test
  void everyPlacedOrderIsChargedShippedAndNotifiedOnTheLocalServer() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();

    boolean complete = OrderFlow.run("local", lines::add);

    assertThat(complete).isTrue();
    assertThat(lines).first().asString().contains("server 'local'").contains("protocol memory");
    for (int i = 1; i <= 3; i++) {
      String order = "order-" + i;
      assertThat(lines).anyMatch(line -> line.startsWith("billing") && line.contains("charged " + order));
      assertThat(lines).anyMatch(line -> line.startsWith("shipping") && line.contains("shipped " + order));
      assertThat(lines).anyMatch(line -> line.contains("order " + order + " is on its way"));
    }
    assertThat(lines).last().isEqualTo("All 3 orders shipped.");
  }
}
