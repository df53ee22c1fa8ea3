package dev.omnibus.spring.boot;

import dev.omnibus.EventBus;

/**
 * Changes the {@link EventBus.Builder} before the starter builds the bus: retry, dedupe, validation, channels, a
 * transport. Beans of this type are applied in {@code @Order}, after the {@code omnibus.*} properties.
 *
 * <p>Called once, on the thread creating the bus bean.
 */
@FunctionalInterface
public interface EventBusCustomizer {

  /** Customises the builder. */
  void customize(EventBus.Builder builder);
}
