package dev.omnibus.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.tck.Brokers;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The RPC pair as users run it: from {@code rpc.yaml}, in memory and on the machine's RabbitMQ. */
class RpcPairTest {

  private static void runsOn(String server, String protocol) {
    List<String> lines = new CopyOnWriteArrayList<>();

    boolean right = RpcPair.run(server, lines::add);

    assertThat(right).as("every sum came back right: %s", lines).isTrue();
    assertThat(lines).first().asString().contains("protocol " + protocol);
    assertThat(lines).contains("server  [4.0, 3.0] -> 7.0", "client  sum of [4.0, 3.0] = 7.0");
    assertThat(lines).anyMatch(line -> line.startsWith("client  sum of [] refused") && line.contains("does not match its AsyncAPI schema"));
  }

  @Test
  void theClientsSumsComeBackFromTheServerInMemory() {
    runsOn("local", "memory");
  }

  @Test
  void theClientsSumsComeBackFromTheServerOnRabbitMq() {
    Brokers.assumeReachable("RabbitMQ", "127.0.0.1", 5672, "Install and start it: " + Brokers.INSTALL
        + " && sudo service rabbitmq-server start");
    runsOn("rabbitmq", "amqp");
  }
}
