package dev.omnibus.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Subscribes a bean method, or an {@link dev.omnibus.EventHandler} bean, to the events of one type once the
 * application context has started; the subscription is closed when the context stops, before the bus closes.
 *
 * <pre>{@code
 * {@literal @}Component
 * class Billing {
 *   {@literal @}OmnibusListener(type = "com.example.orders.placed.v1", group = "billing")
 *   void on(Event<OrderPlaced> event) { ... }      // or: void on(OrderPlaced payload)
 * }
 * }</pre>
 *
 * <p>The event type is the {@link dev.omnibus.EventType} bean whose {@code type()} is {@link #type()}; without
 * such a bean, give {@link #channel()} and the type is made from the method's payload class (the parameter, or the
 * type argument of {@code Event<T>}). A method returning normally acknowledges the event; one that throws gets it
 * again, up to the bus's attempts, then it goes to dead letters. The attributes may hold {@code ${...}}
 * placeholders, resolved in the application's environment.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface OmnibusListener {

  /** The CloudEvents {@code type} to consume. */
  String type();

  /**
   * The consumer group; empty for {@code omnibus.group}, and without that an anonymous subscription (every instance
   * gets every event).
   */
  String group() default "";

  /** The channel id, for a type declared by this annotation alone (no {@code EventType} bean of that type). */
  String channel() default "";
}
