package dev.omnibus.outbox;

import dev.omnibus.EventBus;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.time.Duration;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A relay in a process of its own, for a scenario to kill with {@code destroyForcibly()} (SIGKILL) mid-flush.
 * Arguments: JDBC URL, user, outbox table, protocol ({@code amqp}, {@code mqtt} or {@code kafka}), host:port (the
 * bootstrap servers for Kafka), channel address.
 */
final class RelayProcess {

  private RelayProcess() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(args[0]);
    dataSource.setUser(args[1]);
    ServerConfig server = ServerConfig.of("outbox", args[3], args[4]);
    if (args[3].equals("amqp")) {
      server = server.withCredentials(Credentials.of("guest", "guest"));
    }
    EventBus bus = EventBus.builder().server(server).channel("orders", args[5]).build();
    OutboxRelay relay = OutboxRelay.builder(dataSource, bus).table(args[2]).types(OutboxScenarios.ORDER)
        .batchSize(5).pollInterval(Duration.ofMillis(50)).build();
    relay.start();
    System.out.println("relaying");
    new java.util.concurrent.CountDownLatch(1).await(); // until killed
  }
}
