package dev.omnibus.spring.boot;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * Auto-configures an {@link EventBus} bean from the {@code omnibus.*} properties ({@link OmnibusProperties}), the
 * application's {@link EventType}, {@link Interceptor} and {@link EventBusCustomizer} beans, subscribes
 * {@link OmnibusListener}s when the context starts ({@link OmnibusConsumers}), and, when Boot's health module is
 * present, adds {@link OmnibusHealthIndicator}. With Boot's Jackson 3 mapper present, JSON payloads of the event types
 * it sees use that mapper ({@link JacksonPayloadCodec}).
 */
@AutoConfiguration(afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@EnableConfigurationProperties(OmnibusProperties.class)
@Import({OmnibusJacksonConfiguration.class, OmnibusHealthConfiguration.class})
public final class OmnibusAutoConfiguration {

  /** For Spring. */
  public OmnibusAutoConfiguration() {}

  /** Collects listeners as beans are created. */
  @Bean
  static ListenerRegistry omnibusListenerRegistry() {
    return new ListenerRegistry();
  }

  /** Rewrites {@code EventType} beans to the payload mapper in use. */
  @Bean
  static EventTypeCodecs omnibusEventTypeCodecs(ObjectProvider<PayloadMapping> mapping) {
    return new EventTypeCodecs(mapping);
  }

  /** Omnibus's own Jackson 2 mapper, when Boot has no Jackson 3 mapper. */
  @Bean
  @ConditionalOnMissingBean
  PayloadMapping omnibusPayloadMapping() {
    return PayloadMapping.omnibus();
  }

  /** The bus; closed when the context is destroyed, after the consumers stopped. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  EventBus omnibusEventBus(OmnibusProperties properties, Environment environment,
      ObjectProvider<EventType<?>> types, ObjectProvider<Interceptor> interceptors,
      ObjectProvider<EventBusCustomizer> customizers) {
    EventBus.Builder builder = EventBus.builder().environment(environment::getProperty);
    String document = properties.asyncapi();
    if (document != null) {
      if (document.startsWith("file:")) {
        builder.asyncApi(Path.of(document.substring("file:".length())));
      } else {
        builder.asyncApi(document.startsWith("classpath:") ? document.substring("classpath:".length()) : document);
      }
    }
    String server = properties.server();
    if (properties.inMemory()) {
      // A broker of its own per context, under the selected server's name so the document's channels apply.
      String name = server != null ? server : environment.getProperty("OMNIBUS_SERVER", "memory");
      builder.server(ServerConfig.of(name, "memory", "boot-" + UUID.randomUUID()));
    } else if (server != null) {
      builder.server(server);
    }
    URI source = properties.source();
    String application = environment.getProperty("spring.application.name");
    if (source != null) {
      builder.source(source);
    } else if (application != null && !application.isBlank()) {
      builder.source(URI.create("/" + application));
    }
    properties.variables().forEach(builder::variable);
    properties.credentials().forEach((name, credential) ->
        builder.credentials(name, Credentials.of(credential.username(), credential.password())));
    interceptors.orderedStream().forEach(builder::intercept);
    types.orderedStream().forEach(builder::register);
    builder.closeTimeout(properties.closeTimeout());
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /** Subscribes the listeners when the context starts, closes them when it stops. */
  @Bean
  @ConditionalOnMissingBean
  OmnibusConsumers omnibusConsumers(EventBus bus, ListenerRegistry registry, ObjectProvider<EventType<?>> types,
      PayloadMapping mapping, OmnibusProperties properties, Environment environment) {
    List<EventType<?>> declared = types.orderedStream().toList();
    @Nullable String group = properties.group();
    return new OmnibusConsumers(bus, registry, declared, mapping, group == null || group.isBlank() ? null : group,
        environment);
  }
}
