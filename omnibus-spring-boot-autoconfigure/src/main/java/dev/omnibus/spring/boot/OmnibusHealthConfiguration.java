package dev.omnibus.spring.boot;

import dev.omnibus.EventBus;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicator, when Boot's health module is present; off with management.health.omnibus.enabled=false. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnEnabledHealthIndicator("omnibus")
class OmnibusHealthConfiguration {

  @Bean
  OmnibusHealthIndicator omnibusHealthIndicator(EventBus bus, OmnibusConsumers consumers) {
    return new OmnibusHealthIndicator(bus, consumers);
  }
}
