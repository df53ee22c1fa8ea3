package dev.omnibus.spring.boot;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.PropertyResolver;

/**
 * Subscribes every {@link OmnibusListener} once the context has started (all beans exist, the web server is
 * listening) and closes those subscriptions when it stops. Its phase is above the web server's graceful shutdown, so
 * on a normal stop consumption ends first (events under way finish, unacknowledged ones stay with the broker), then
 * requests under way finish and may still publish, then the bus bean is destroyed: {@link EventBus#close()} waits
 * for unconfirmed publishes. Nothing acknowledged is lost.
 *
 * <p>Thread-safe; Spring calls {@link #start()} and {@link #stop()} on the thread refreshing or closing the context.
 */
public final class OmnibusConsumers implements SmartLifecycle {

  /** The lifecycle phase: after the web server starts, before its graceful shutdown stops. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger LOG = LoggerFactory.getLogger(OmnibusConsumers.class);

  private final Object lock = new Object();
  private final EventBus bus;
  private final ListenerRegistry registry;
  private final Map<String, EventType<?>> types;
  private final PayloadMapping mapping;
  private final @Nullable String defaultGroup;
  private final PropertyResolver placeholders;
  private final List<Subscription> subscriptions = new ArrayList<>();
  private volatile boolean running;

  OmnibusConsumers(EventBus bus, ListenerRegistry registry, List<EventType<?>> types, PayloadMapping mapping,
      @Nullable String defaultGroup, PropertyResolver placeholders) {
    this.placeholders = placeholders;
    this.bus = bus;
    this.registry = registry;
    this.types = new HashMap<>();
    for (EventType<?> type : types) {
      this.types.put(type.type(), type);
    }
    this.mapping = mapping;
    this.defaultGroup = defaultGroup;
  }

  @Override
  public void start() {
    synchronized (lock) {
      if (running) {
        return;
      }
      try {
        for (ListenerEndpoint endpoint : registry.endpoints()) {
          subscriptions.add(subscribe(endpoint));
        }
      } catch (RuntimeException e) {
        closeAll();
        throw e;
      }
      running = true;
      LOG.info("Omnibus consuming with {} listener(s) on server '{}'", subscriptions.size(), bus.server().name());
    }
  }

  private <T> Subscription subscribe(ListenerEndpoint endpoint) {
    EventType<T> type = typeOf(endpoint);
    String group = endpoint.annotation().group().isEmpty() ? defaultGroup
        : placeholders.resolveRequiredPlaceholders(endpoint.annotation().group());
    return bus.subscribe(type, group, endpoint.handler());
  }

  @SuppressWarnings("unchecked")
  private <T> EventType<T> typeOf(ListenerEndpoint endpoint) {
    OmnibusListener annotation = endpoint.annotation();
    String typeName = placeholders.resolveRequiredPlaceholders(annotation.type());
    EventType<?> declared = types.get(typeName);
    if (declared != null) {
      if (endpoint.payloadClass() != null && !endpoint.payloadClass().isAssignableFrom(declared.javaType())) {
        throw ConfigurationException.of("@OmnibusListener " + endpoint.describe() + " takes "
            + endpoint.payloadClass().getName() + " but the EventType bean of '" + typeName + "' carries "
            + declared.javaType().getName() + ": take that class, or Event<" + declared.javaType().getSimpleName()
            + ">");
      }
      return (EventType<T>) declared;
    }
    if (annotation.channel().isEmpty() || endpoint.payloadClass() == null) {
      throw ConfigurationException.of("@OmnibusListener " + endpoint.describe() + " consumes '" + typeName
          + "', which no EventType bean declares: declare an EventType bean of that type, or give channel = \"...\""
          + " and a typed parameter (T or Event<T>)");
    }
    Class<T> payload = (Class<T>) endpoint.payloadClass();
    return mapping.apply(EventType.of(typeName, payload)
        .channel(placeholders.resolveRequiredPlaceholders(annotation.channel())));
  }

  @Override
  public void stop() {
    synchronized (lock) {
      running = false;
      closeAll();
    }
  }

  private void closeAll() {
    for (Subscription subscription : subscriptions) {
      try {
        subscription.close();
      } catch (RuntimeException e) {
        LOG.warn("Closing the subscription to channel '{}' failed: {}", subscription.channel(), e.toString());
      }
    }
    subscriptions.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** How many subscriptions are open. */
  public int subscriptionCount() {
    synchronized (lock) {
      return subscriptions.size();
    }
  }
}
