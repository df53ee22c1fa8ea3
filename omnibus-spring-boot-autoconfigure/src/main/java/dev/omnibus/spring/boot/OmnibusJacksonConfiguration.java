package dev.omnibus.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Payloads with Boot's Jackson 3 {@link JsonMapper} when the application has one (spring-boot-jackson). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
class OmnibusJacksonConfiguration {

  @Bean
  @ConditionalOnBean(JsonMapper.class)
  PayloadMapping omnibusPayloadMapping(JsonMapper mapper) {
    return PayloadMapping.boot(mapper);
  }
}
