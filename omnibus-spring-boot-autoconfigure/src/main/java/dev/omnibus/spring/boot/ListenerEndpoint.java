package dev.omnibus.spring.boot;

import dev.omnibus.Event;
import dev.omnibus.EventHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.jspecify.annotations.Nullable;

/**
 * One {@link OmnibusListener}: a bean method or a handler bean, with the payload class it takes.
 *
 * @param beanName the bean's name, for messages
 * @param bean the bean
 * @param method the annotated method, or {@code null} for an {@link EventHandler} bean
 * @param annotation the annotation
 * @param payloadClass the payload class, or {@code null} when it cannot be told (a raw {@code Event})
 * @param wantsEvent whether the method takes the {@link Event} rather than its payload
 */
record ListenerEndpoint(String beanName, Object bean, @Nullable Method method, OmnibusListener annotation,
    @Nullable Class<?> payloadClass, boolean wantsEvent) {

  String describe() {
    return method == null ? "bean '" + beanName + "'"
        : "method " + method.getDeclaringClass().getName() + "." + method.getName() + " of bean '" + beanName
            + "'";
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  <T> EventHandler<T> handler() {
    if (method == null) {
      return (EventHandler<T>) bean;
    }
    Method target = method;
    target.setAccessible(true);
    return event -> {
      try {
        target.invoke(bean, wantsEvent ? event : ((Event) event).data());
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception exception) {
          throw exception;
        }
        if (cause instanceof Error error) {
          throw error;
        }
        throw e;
      }
    };
  }
}
