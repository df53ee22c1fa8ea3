package dev.omnibus.spring.boot;

import dev.omnibus.EventBus;
import dev.omnibus.micrometer.OmnibusMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The bus's Micrometer meters ({@link OmnibusMetrics}) in Boot's {@link MeterRegistry}, when
 * {@code dev.omnibus:bus-micrometer} is on the classpath and the application has a registry (Boot's actuator makes
 * one). The interceptor is a bean, so the bus picks it up with the other {@code Interceptor} beans; it is ordered just
 * after the test kit's recorder, before the application's interceptors, so that it sees what they refuse. Off with
 * {@code omnibus.metrics.enabled=false}; a bean of type {@code OmnibusMetrics} of the application's replaces it.
 */
@AutoConfiguration(before = OmnibusAutoConfiguration.class, afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass(name = {"dev.omnibus.micrometer.OmnibusMetrics", "io.micrometer.core.instrument.MeterRegistry"})
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnProperty(prefix = "omnibus.metrics", name = "enabled", havingValue = "true", matchIfMissing = true)
public final class OmnibusMetricsAutoConfiguration {

  /** The order of the metrics interceptor among the bus's interceptor beans. */
  public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

  /** For Spring. */
  public OmnibusMetricsAutoConfiguration() {}

  /** The metrics interceptor over the application's (primary) registry. */
  @Bean
  @ConditionalOnMissingBean
  @Order(ORDER)
  OmnibusMetrics omnibusMetrics(MeterRegistry registry) {
    return OmnibusMetrics.of(registry);
  }

  /** The request/reply meters of every bus of the context ({@link OmnibusMetrics#bindRequests}). */
  @Bean
  SmartInitializingSingleton omnibusRequestMetrics(OmnibusMetrics metrics, ObjectProvider<EventBus> buses) {
    return () -> buses.orderedStream().forEach(metrics::bindRequests);
  }
}
