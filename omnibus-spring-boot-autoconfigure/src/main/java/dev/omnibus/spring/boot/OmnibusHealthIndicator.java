package dev.omnibus.spring.boot;

import dev.omnibus.EventBus;
import dev.omnibus.spi.ServerConfig;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The bus in {@code /actuator/health} (as {@code omnibus}): the server, its protocol and host, and the consumers.
 * {@code UP} while the listeners consume; {@code OUT_OF_SERVICE} before the context started them and after it
 * stopped them (so a readiness group including {@code omnibus} takes the instance out of rotation while it drains).
 *
 * <p>The kernel does not yet tell whether the transport's connection is up ({@code EventBus} has no health query),
 * so a broker that went away after start-up shows only in the publishes and handlers that fail. Thread-safe.
 */
public final class OmnibusHealthIndicator extends AbstractHealthIndicator {

  private final EventBus bus;
  private final OmnibusConsumers consumers;

  OmnibusHealthIndicator(EventBus bus, OmnibusConsumers consumers) {
    super("Omnibus health check failed");
    this.bus = bus;
    this.consumers = consumers;
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    ServerConfig server = bus.server();
    builder.withDetail("server", server.name())
        .withDetail("protocol", server.protocol())
        .withDetail("host", server.host())
        .withDetail("subscriptions", consumers.subscriptionCount());
    if (consumers.isRunning()) {
      builder.up();
    } else {
      builder.outOfService();
    }
  }
}
