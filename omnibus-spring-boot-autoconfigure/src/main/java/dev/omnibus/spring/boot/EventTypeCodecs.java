package dev.omnibus.spring.boot;

import dev.omnibus.EventType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Gives {@link EventType} beans that use Omnibus's built-in JSON codec the codec of the application's mapper, so that
 * a type declared as a bean and injected where it is published writes its payloads as Boot's mapper does. A type with
 * a codec of its own keeps it. Called by the container on the thread creating beans.
 */
final class EventTypeCodecs implements BeanPostProcessor {

  private final ObjectProvider<PayloadMapping> mapping;

  EventTypeCodecs(ObjectProvider<PayloadMapping> mapping) {
    this.mapping = mapping;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof EventType<?> type) {
      PayloadMapping current = mapping.getIfAvailable(PayloadMapping::omnibus);
      return current.apply(type);
    }
    return bean;
  }
}
