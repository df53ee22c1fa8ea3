package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * A server address never carries a secret: user info ({@code user:password@host}) in a url, a host or a variable's
 * value is refused, naming the path and where credentials go, and the secret is in no message, log line or
 * {@code toString}.
 */
class AsyncApiServerUserInfoTest {

  private static final String SECRET = "S3cr3t-pw-42";

  /** Runs an action, returning what it logged and the configuration exception it threw. */
  private record Outcome(ConfigurationException error, String log) {}

  private static Outcome capture(Executable action) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ConfigurationException error;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      error = catchThrowableOfType(ConfigurationException.class, () -> action.execute());
    } finally {
      System.setErr(originalErr);
    }
    return new Outcome(error, captured.toString(StandardCharsets.UTF_8));
  }

  private static void assertNoSecret(Outcome outcome) {
    assertThat(outcome.error()).isNotNull();
    assertThat(outcome.error().getMessage()).doesNotContain(SECRET).doesNotContain("admin:");
    assertThat(outcome.error().toString()).doesNotContain(SECRET);
    outcome.error().problems().forEach(problem -> assertThat(problem.toString()).doesNotContain(SECRET));
    assertThat(outcome.log()).doesNotContain(SECRET);
  }

  @Test
  void a_2x_url_with_a_password_is_refused_at_its_path_without_echoing_it() {
    String document = """
        asyncapi: 2.6.0
        info: {title: t, version: '1'}
        servers:
          prod: {url: 'kafka://admin:%s@broker.example.com:9092', protocol: kafka}
        channels: {}
        """.formatted(SECRET);
    Outcome outcome = capture(() -> AsyncApiDocument.parse(document, "orders.yaml")
        .resolveServer(ServerSelection.documentOnly()));
    assertNoSecret(outcome);
    assertThat(outcome.error().problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("servers.prod.url");
      assertThat(problem.message()).contains("user info", "credentials(\"prod\"", "OMNIBUS_PROD_USERNAME",
          "OMNIBUS_PROD_PASSWORD");
    });
  }

  @Test
  void a_3x_host_with_user_info_is_refused_at_its_path() {
    String document = """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          prod: {host: 'admin:%s@broker.example.com:5672', protocol: amqp}
        """.formatted(SECRET);
    Outcome outcome = capture(() -> AsyncApiDocument.parse(document, "orders.yaml"));
    assertNoSecret(outcome);
    assertThat(outcome.error().problems()).singleElement()
        .satisfies(problem -> assertThat(problem.path()).isEqualTo("servers.prod.host"));
  }

  @Test
  void a_host_variable_holding_user_info_is_refused_without_logging_or_echoing_it() {
    String document = """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          prod:
            host: '{broker}'
            protocol: kafka
            variables:
              broker: {default: localhost:9092}
        """;
    AsyncApiDocument loaded = AsyncApiDocument.parse(document, "orders.yaml");
    Outcome outcome = capture(() -> loaded.resolveServer(ServerSelection.documentOnly()
        .withEnvironment(Map.of("OMNIBUS_VAR_BROKER", "admin:" + SECRET + "@broker:9092")::get)));
    assertNoSecret(outcome);
    assertThat(outcome.log()).doesNotContain("Using AsyncAPI server");
    assertThat(outcome.error().problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("servers.prod.variables.broker");
      assertThat(problem.message()).contains("OMNIBUS_VAR_BROKER", "user info", "OMNIBUS_PROD_PASSWORD");
    });
  }

  @Test
  void a_programmatic_server_config_refuses_user_info_in_its_host_without_echoing_it() {
    IllegalArgumentException error = catchThrowableOfType(IllegalArgumentException.class,
        () -> ServerConfig.of("prod", "kafka", "admin:" + SECRET + "@broker:9092"));
    assertThat(error).isNotNull();
    assertThat(error.getMessage()).doesNotContain(SECRET).doesNotContain("admin:").contains("Credentials.of");
  }
}
