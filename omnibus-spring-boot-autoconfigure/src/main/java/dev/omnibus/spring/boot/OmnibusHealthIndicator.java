package dev.omnibus.spring.boot;

import dev.omnibus.EventBus;
import dev.omnibus.Health.Consumer;
import dev.omnibus.Health.State;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The bus in {@code /actuator/health} (as {@code omnibus}), from {@link EventBus#health()}: the server, its protocol
 * and host, the transport's connection ({@code state}, {@code lastError}, {@code since}) and each consumer (channel,
 * group, state). The status:
 *
 * <ul>
 *   <li>{@code UP} when the bus is ready: connected, and every consumer consuming;
 *   <li>{@code DOWN} when the connection is {@code RECONNECTING} or a consumer is {@code STALLED} (the details say
 *       which and why);
 *   <li>{@code OUT_OF_SERVICE} when the bus is closed, and before the context started the listeners and after it
 *       stopped them, so that a readiness group including {@code omnibus} takes the instance out of rotation while it
 *       drains.
 * </ul>
 *
 * <p>Never blocks on the broker. Thread-safe.
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
    describe(bus.health(), bus.server().host(), consumers.isRunning(), consumers.subscriptionCount(), builder);
  }

  /** Status and details of a bus's health; {@code consuming} is whether the context runs the listeners. */
  static void describe(dev.omnibus.Health health, String host, boolean consuming, int subscriptions,
      Health.Builder builder) {
    List<Map<String, Object>> consumerDetails = new ArrayList<>();
    for (Consumer consumer : health.consumers()) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("channel", consumer.channel());
      if (consumer.group() != null) {
        detail.put("group", consumer.group());
      }
      detail.putAll(status(consumer.status()));
      consumerDetails.add(detail);
    }
    builder.withDetail("server", health.server())
        .withDetail("protocol", health.protocol())
        .withDetail("host", host)
        .withDetail("transport", status(health.transport()))
        .withDetail("consumers", consumerDetails)
        .withDetail("subscriptions", subscriptions);
    if (health.transport().state() == State.CLOSED || !consuming) {
      builder.outOfService();
    } else if (health.ready()) {
      builder.up();
    } else {
      builder.down();
    }
  }

  private static Map<String, Object> status(dev.omnibus.Health.Status status) {
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("state", status.state().name());
    if (status.lastError() != null) {
      detail.put("lastError", status.lastError());
    }
    detail.put("since", status.since().toString());
    return detail;
  }
}
