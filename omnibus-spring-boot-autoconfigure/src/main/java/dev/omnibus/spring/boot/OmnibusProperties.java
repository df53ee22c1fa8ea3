package dev.omnibus.spring.boot;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code omnibus.*} properties of a Boot application.
 *
 * <pre>{@code
 * omnibus.asyncapi=classpath:asyncapi.yaml
 * omnibus.server=rabbitmq
 * omnibus.source=/orders-service
 * omnibus.group=orders-service
 * omnibus.variables.host=broker.internal
 * omnibus.credentials.rabbitmq.username=orders
 * omnibus.credentials.rabbitmq.password=${RABBIT_PASSWORD}
 * }</pre>
 *
 * <p>The {@code OMNIBUS_*} environment variables the bus reads ({@code OMNIBUS_SERVER},
 * {@code OMNIBUS_VAR_<NAME>}, {@code OMNIBUS_<SERVER>_USERNAME}/{@code _PASSWORD}) are looked up in Spring's
 * {@code Environment}, so they work as environment variables, system properties or entries of
 * {@code application.properties}. Passwords are never logged: {@link Credential#toString()} masks them, and Boot's
 * {@code /actuator/env} and {@code /actuator/configprops} show no values unless {@code show-values} is changed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param asyncapi the AsyncAPI document: {@code classpath:path}, {@code file:path} or a classpath resource name;
 *     without one, channels are the event types' channel ids
 * @param server the document server to use; {@code OMNIBUS_SERVER} overrides it, and without both the document's
 *     only server is used
 * @param source the CloudEvents {@code source} of published events; default {@code /<spring.application.name>}
 *     when that is set, else {@code /omnibus/<server>}
 * @param group the consumer group of listeners that name none; default: none (each instance gets every event)
 * @param variables server variables, before {@code OMNIBUS_VAR_<NAME>} and the document's defaults
 * @param credentials credentials by server name, before {@code OMNIBUS_<SERVER>_USERNAME}/{@code _PASSWORD}
 * @param inMemory run on a fresh in-memory broker instead of the selected server (tests; see {@link OmnibusTest})
 * @param closeTimeout how long closing the bus may wait for unconfirmed publishes
 * @param metrics Micrometer meters of the bus, when {@code dev.omnibus:bus-micrometer} and a {@code MeterRegistry}
 *     bean are present ({@code omnibus.metrics.enabled}, default {@code true})
 * @param tracing OpenTelemetry spans of the bus, when {@code dev.omnibus:bus-opentelemetry} and an
 *     {@code OpenTelemetry} bean are present ({@code omnibus.tracing.enabled}, default {@code true})
 */
@ConfigurationProperties("omnibus")
public record OmnibusProperties(
    @Nullable String asyncapi,
    @Nullable String server,
    @Nullable URI source,
    @Nullable String group,
    Map<String, String> variables,
    Map<String, Credential> credentials,
    @DefaultValue("false") boolean inMemory,
    @DefaultValue("10s") Duration closeTimeout,
    @DefaultValue Switch metrics,
    @DefaultValue Switch tracing) {

  /** Copies the maps. */
  public OmnibusProperties {
    variables = variables == null ? Map.of() : Map.copyOf(variables);
    credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
  }

  /**
   * Whether an optional part of the starter is on when what it needs is present.
   *
   * @param enabled {@code false} turns it off
   */
  public record Switch(@DefaultValue("true") boolean enabled) {}

  /**
   * A user name and password for one server.
   *
   * @param username the user name
   * @param password the password, never printed
   */
  public record Credential(String username, String password) {

    /** Shows the user name only. */
    @Override
    public String toString() {
      return "Credential[username=" + username + ", password=******]";
    }
  }
}
