package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.tck.Brokers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The outbox scenarios with a RabbitMQ restart ({@code rabbitmqctl stop_app} / {@code start_app}) while the relay
 * runs: only with {@code -Pfaults} (it restarts the machine's broker), like the bindings' {@code *FaultTest}s; it also
 * runs the inherited scenarios.
 */
class OutboxRabbitMqFaultTest extends RabbitMqOutboxScenariosTest {

  @Test
  void aBrokerRestartWhileTheRelayRunsLosesNothing() throws Exception {
    relay(bus()).start();
    for (int i = 0; i < 100; i++) {
      businessTransaction(List.of(new Order("o-" + (i % 10), i)), true);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE status = 'SENT'") > 0);

    try {
      Brokers.run(Duration.ofMinutes(2), "rabbitmqctl", "stop_app");
      for (int i = 100; i < 200; i++) {
        businessTransaction(List.of(new Order("o-" + (i % 10), i)), true);
      }
    } finally {
      Brokers.run(Duration.ofMinutes(2), "rabbitmqctl", "start_app");
      Brokers.awaitPort(HOST, PORT, true, Duration.ofMinutes(2));
      Brokers.run(Duration.ofMinutes(2), "rabbitmqctl", "await_startup");
    }

    assertThat(report("broker-restart").lost()).isZero();
  }
}
