package dev.omnibus.spring.boot;

import dev.omnibus.opentelemetry.OmnibusTracing;
import io.opentelemetry.api.OpenTelemetry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The bus's OpenTelemetry spans ({@link OmnibusTracing}), when {@code dev.omnibus:bus-opentelemetry} is on the
 * classpath and the application has an {@link OpenTelemetry} bean (Boot's {@code spring-boot-opentelemetry} makes
 * one, or declare your SDK as a bean). A {@code PRODUCER} span per publish and a {@code CONSUMER} span per handling,
 * the context carried in the CloudEvents {@code traceparent} extension. Ordered after the metrics interceptor and
 * before the application's interceptors. Off with {@code omnibus.tracing.enabled=false}; a bean of type
 * {@code OmnibusTracing} of the application's replaces it.
 */
@AutoConfiguration(before = OmnibusAutoConfiguration.class,
    afterName = "org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration")
@ConditionalOnClass(name = {"dev.omnibus.opentelemetry.OmnibusTracing", "io.opentelemetry.api.OpenTelemetry"})
@ConditionalOnBean(type = "io.opentelemetry.api.OpenTelemetry")
@ConditionalOnProperty(prefix = "omnibus.tracing", name = "enabled", havingValue = "true", matchIfMissing = true)
public final class OmnibusTracingAutoConfiguration {

  /** The order of the tracing interceptor among the bus's interceptor beans. */
  public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 200;

  /** For Spring. */
  public OmnibusTracingAutoConfiguration() {}

  /** The tracing interceptor over the application's OpenTelemetry. */
  @Bean
  @ConditionalOnMissingBean
  @Order(ORDER)
  OmnibusTracing omnibusTracing(OpenTelemetry openTelemetry) {
    return OmnibusTracing.of(openTelemetry);
  }
}
