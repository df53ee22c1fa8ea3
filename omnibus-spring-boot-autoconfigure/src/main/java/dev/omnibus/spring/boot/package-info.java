/**
 * Spring Boot auto-configuration for Omnibus: an {@link dev.omnibus.EventBus} bean built from {@code omnibus.*}
 * properties, {@link dev.omnibus.spring.boot.OmnibusListener} methods and handler beans subscribed once the context
 * has started, a health indicator, and payloads written with Boot's Jackson 3 mapper.
 */
@NullMarked
package dev.omnibus.spring.boot;

import org.jspecify.annotations.NullMarked;
