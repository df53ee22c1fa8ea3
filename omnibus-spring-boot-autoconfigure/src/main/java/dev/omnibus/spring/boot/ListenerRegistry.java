package dev.omnibus.spring.boot;

import dev.omnibus.ConfigurationException;
import dev.omnibus.Event;
import dev.omnibus.EventHandler;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Finds {@link OmnibusListener} methods and handler beans as beans are initialised; subscribes nothing itself
 * ({@link OmnibusConsumers} does, once the context has started), so it needs no bus and creates no bean early.
 * Called by the container on the thread creating beans; {@link #endpoints()} is read after the context refreshed.
 */
final class ListenerRegistry implements BeanPostProcessor {

  private final Object lock = new Object();
  private final List<ListenerEndpoint> endpoints = new ArrayList<>();

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    OmnibusListener onType = AnnotationUtils.findAnnotation(type, OmnibusListener.class);
    if (onType != null) {
      if (!(bean instanceof EventHandler<?>)) {
        throw ConfigurationException.of("@OmnibusListener on bean '" + beanName + "' (" + type.getName()
            + "), which is no dev.omnibus.EventHandler: implement EventHandler<T> or annotate a method instead");
      }
      Class<?> payload = ResolvableType.forClass(type).as(EventHandler.class).getGeneric(0).resolve();
      add(new ListenerEndpoint(beanName, bean, null, onType, payload, true));
    }
    MethodIntrospector.selectMethods(type, (MethodIntrospector.MetadataLookup<OmnibusListener>)
        method -> AnnotatedElementUtils.findMergedAnnotation(method, OmnibusListener.class))
        .forEach((method, annotation) -> add(endpoint(beanName, bean, method, annotation)));
    return bean;
  }

  private static ListenerEndpoint endpoint(String beanName, Object bean, Method method, OmnibusListener annotation) {
    if (method.getParameterCount() != 1) {
      throw ConfigurationException.of("@OmnibusListener method " + method.getDeclaringClass().getSimpleName() + "."
          + method.getName() + " of bean '" + beanName + "' takes " + method.getParameterCount()
          + " parameters: take one, the Event<T> or its payload T");
    }
    boolean wantsEvent = Event.class.isAssignableFrom(method.getParameterTypes()[0]);
    ResolvableType parameter = ResolvableType.forMethodParameter(method, 0);
    @Nullable Class<?> payload = wantsEvent ? parameter.getGeneric(0).resolve() : parameter.resolve();
    return new ListenerEndpoint(beanName, bean, method, annotation, payload, wantsEvent);
  }

  private void add(ListenerEndpoint endpoint) {
    synchronized (lock) {
      endpoints.add(endpoint);
    }
  }

  List<ListenerEndpoint> endpoints() {
    synchronized (lock) {
      return List.copyOf(endpoints);
    }
  }
}
