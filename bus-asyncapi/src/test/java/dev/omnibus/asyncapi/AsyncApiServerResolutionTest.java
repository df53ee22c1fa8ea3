package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Server selection, variables, URLs and credentials: {@link AsyncApiDocument#resolveServer}. */
class AsyncApiServerResolutionTest {

  private static final String V3 = """
      asyncapi: 3.0.0
      info: {title: t, version: '1'}
      servers:
        production:
          host: '{cluster}.example.com:{port}'
          pathname: /{vhost}
          protocol: kafka-secure
          variables:
            cluster: {default: eu}
            port: {enum: ['9092', '9093'], default: '9092'}
            vhost: {}
          security:
            - $ref: '#/components/securitySchemes/scram'
          bindings:
            kafka: {schemaRegistryUrl: 'https://registry.example.com'}
          x-omnibus-linger-ms: 5
        local:
          host: localhost:1883
          protocol: MQTT
          bindings:
            mqtt: {clientId: orders, cleanSession: false, lastWill: {topic: gone, qos: 1}}
      components:
        securitySchemes:
          scram: {type: scramSha512}
      """;

  private static AsyncApiDocument v3() {
    return AsyncApiDocument.parse(V3, "orders.yaml");
  }

  private static ServerSelection env(Map<String, String> environment) {
    return ServerSelection.documentOnly().withEnvironment(environment::get);
  }

  private static ServerSelection production() {
    return env(Map.of()).withServer("production").withVariable("vhost", "prod")
        .withCredentials("production", Credentials.of("orders", "pw"));
  }

  @Nested
  class Selection {

    @Test
    void an_explicit_name_wins_over_OMNIBUS_SERVER() {
      ServerConfig server = v3().resolveServer(env(Map.of("OMNIBUS_SERVER", "production")).withServer("local"));
      assertThat(server.name()).isEqualTo("local");
    }

    @Test
    void OMNIBUS_SERVER_names_the_server_when_none_is_given() {
      ServerConfig server = v3().resolveServer(env(Map.of("OMNIBUS_SERVER", "local")));
      assertThat(server.name()).isEqualTo("local");
      assertThat(server.protocol()).isEqualTo("mqtt");
    }

    @Test
    void the_only_server_is_taken_without_a_name() {
      AsyncApiDocument document = AsyncApiDocument.parse("""
          asyncapi: 2.6.0
          info: {title: t, version: '1'}
          servers: {only: {url: 'localhost:9092', protocol: kafka}}
          channels: {}
          """, "one.yaml");
      assertThat(document.resolveServer(ServerSelection.documentOnly()).name()).isEqualTo("only");
    }

    @Test
    void an_unknown_name_lists_the_documents_servers() {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> v3().resolveServer(env(Map.of()).withServer("staging")));
      assertThat(e.getMessage()).contains("'staging'", "production", "local");
    }

    @Test
    void several_servers_and_no_choice_is_an_error_listing_them_and_OMNIBUS_SERVER() {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> v3().resolveServer(env(Map.of())));
      assertThat(e.getMessage()).contains("production, local", "OMNIBUS_SERVER");
    }

    @Test
    void no_servers_is_an_error() {
      AsyncApiDocument document = AsyncApiDocument.parse("""
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          """, "none.yaml");
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> document.resolveServer(ServerSelection.documentOnly()));
      assertThat(e.getMessage()).contains("declares no servers");
    }
  }

  @Nested
  class Variables {

    @Test
    void an_explicit_value_wins_over_the_environment_and_the_default() {
      ServerConfig server = v3().resolveServer(env(Map.of("OMNIBUS_VAR_CLUSTER", "us")).withServer("production")
          .withVariable("cluster", "ap").withVariable("vhost", "v")
          .withCredentials("production", Credentials.of("u", "p")));
      assertThat(server.host()).isEqualTo("ap.example.com:9092");
    }

    @Test
    void the_environment_wins_over_the_default() {
      ServerConfig server = v3().resolveServer(env(Map.of("OMNIBUS_VAR_CLUSTER", "us", "OMNIBUS_VAR_VHOST", "v"))
          .withServer("production").withCredentials("production", Credentials.of("u", "p")));
      assertThat(server.host()).isEqualTo("us.example.com:9092");
      assertThat(server.pathname()).isEqualTo("/v");
    }

    @Test
    void the_default_is_used_when_nothing_else_is_given() {
      ServerConfig server = v3().resolveServer(production());
      assertThat(server.host()).isEqualTo("eu.example.com:9092");
      assertThat(server.hostName()).isEqualTo("eu.example.com");
      assertThat(server.port()).contains(9092);
    }

    @Test
    void environment_names_are_upper_cased_with_non_alphanumerics_as_underscores() {
      assertThat(ServerSelection.variableVariable("broker-port.v2")).isEqualTo("OMNIBUS_VAR_BROKER_PORT_V2");
      assertThat(ServerSelection.usernameVariable("eu-west.1")).isEqualTo("OMNIBUS_EU_WEST_1_USERNAME");
      assertThat(ServerSelection.passwordVariable("prod")).isEqualTo("OMNIBUS_PROD_PASSWORD");
    }

    @Test
    void a_value_outside_the_enum_is_an_error_naming_server_variable_and_allowed_values() {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> v3().resolveServer(production().withVariable("port", "1234")));
      assertThat(e.problems()).singleElement().satisfies(problem -> {
        assertThat(problem.path()).isEqualTo("servers.production.variables.port");
        assertThat(problem.message()).contains("'1234'", "production", "[9092, 9093]");
      });
    }

    @Test
    void a_variable_without_any_value_is_an_error_naming_its_path_and_environment_variable() {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> v3().resolveServer(env(Map.of()).withServer("production")
              .withCredentials("production", Credentials.of("u", "p"))));
      assertThat(e.problems()).extracting(Problem::path).containsExactly("servers.production.variables.vhost");
      assertThat(e.getMessage()).contains("OMNIBUS_VAR_VHOST", "variable(\"vhost\", value)");
    }

    @Test
    void every_problem_of_a_server_is_reported_together() {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> v3().resolveServer(env(Map.of()).withServer("production").withVariable("port", "1")));
      assertThat(e.problems()).extracting(Problem::path).containsExactly("servers.production.variables.port",
          "servers.production.variables.vhost", "servers.production.security");
      assertThat(e.getMessage()).startsWith("3 configuration problems:");
    }

    @Test
    void an_undeclared_variable_needs_a_value_and_accepts_one() {
      AsyncApiDocument document = AsyncApiDocument.parse("""
          asyncapi: 2.0.0
          info: {title: t, version: '1'}
          servers: {dev: {url: 'localhost:{port}', protocol: mqtt}}
          channels: {}
          """, "undeclared.yaml");
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> document.resolveServer(ServerSelection.documentOnly()));
      assertThat(e.problems()).extracting(Problem::path).containsExactly("servers.dev.variables.port");
      assertThat(e.getMessage()).contains("does not declare it");
      assertThat(document.resolveServer(ServerSelection.documentOnly().withVariable("port", "1883")).host())
          .isEqualTo("localhost:1883");
    }

    @Test
    void a_stray_brace_left_after_substitution_is_an_error() {
      AsyncApiDocument document = AsyncApiDocument.parse("""
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          servers: {dev: {host: 'localhost:1883}', protocol: mqtt}}
          """, "brace.yaml");
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> document.resolveServer(ServerSelection.documentOnly()));
      assertThat(e.problems()).extracting(Problem::path).containsExactly("servers.dev.host");
    }
  }

  @Nested
  class Addresses {

    private ServerConfig v2Url(String url) {
      return AsyncApiDocument.parse("""
          asyncapi: 2.6.0
          info: {title: t, version: '1'}
          servers: {s: {url: '%s', protocol: amqp}}
          channels: {}
          """.formatted(url), "url.yaml").resolveServer(ServerSelection.documentOnly());
    }

    @Test
    void a_2x_url_with_a_scheme_drops_the_scheme_and_splits_the_path() {
      ServerConfig server = v2Url("amqp://rabbit.example.com:5672/production");
      assertThat(server.host()).isEqualTo("rabbit.example.com:5672");
      assertThat(server.pathname()).isEqualTo("/production");
    }

    @Test
    void a_2x_url_without_a_scheme_is_host_and_port() {
      ServerConfig server = v2Url("rabbit.example.com:5672");
      assertThat(server.host()).isEqualTo("rabbit.example.com:5672");
      assertThat(server.pathname()).isNull();
    }

    @Test
    void a_relative_2x_url_has_an_empty_host_and_a_pathname() {
      ServerConfig server = v2Url("/dev/pubserver/");
      assertThat(server.host()).isEmpty();
      assertThat(server.pathname()).isEqualTo("/dev/pubserver/");
    }

    @Test
    void a_3x_server_keeps_host_and_pathname_and_its_bindings_and_options() {
      ServerConfig server = v3().resolveServer(production());
      assertThat(server.pathname()).isEqualTo("/prod");
      assertThat(server.protocol()).isEqualTo("kafka-secure");
      assertThat(server.bindings().byProtocol())
          .containsExactly(Map.entry("kafka", Map.of("schemaRegistryUrl", "https://registry.example.com")));
      assertThat(server.bindings().path()).isEqualTo("servers.production.bindings");
      assertThat(server.options()).containsExactly(Map.entry("linger-ms", "5"));
    }

    @Test
    void server_bindings_are_handed_on_as_written_for_the_binding_to_read() {
      ServerConfig server = v3().resolveServer(env(Map.of()).withServer("local"));
      assertThat(server.bindings().byProtocol()).containsExactly(Map.entry("mqtt", Map.of("clientId", "orders",
          "cleanSession", false, "lastWill", Map.of("topic", "gone", "qos", 1))));
      assertThat(server.bindings().pathOf("mqtt")).isEqualTo("servers.local.bindings.mqtt");
    }
  }

  @Nested
  class Security {

    @Test
    void a_scheme_needing_a_password_without_credentials_names_the_environment_variables_to_set() {
      ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
          () -> v3().resolveServer(env(Map.of()).withServer("production").withVariable("vhost", "v")));
      assertThat(e.problems()).singleElement().satisfies(problem -> {
        assertThat(problem.path()).isEqualTo("servers.production.security");
        assertThat(problem.message()).contains("scramSha512", "OMNIBUS_PRODUCTION_USERNAME",
            "OMNIBUS_PRODUCTION_PASSWORD");
      });
    }

    @Test
    void credentials_come_from_the_environment_when_not_given() {
      ServerConfig server = v3().resolveServer(env(Map.of("OMNIBUS_PRODUCTION_USERNAME", "svc",
          "OMNIBUS_PRODUCTION_PASSWORD", "from-env")).withServer("production").withVariable("vhost", "v"));
      assertThat(server.credentials().username()).isEqualTo("svc");
      assertThat(server.credentials().password()).isEqualTo("from-env");
      assertThat(server.security()).singleElement().satisfies(scheme -> {
        assertThat(scheme.name()).isEqualTo("scram");
        assertThat(scheme.type()).isEqualTo("scramSha512");
      });
    }

    @Test
    void given_credentials_win_over_the_environment() {
      ServerConfig server = v3().resolveServer(env(Map.of("OMNIBUS_PRODUCTION_USERNAME", "env-user",
          "OMNIBUS_PRODUCTION_PASSWORD", "env-pw")).withServer("production").withVariable("vhost", "v")
          .withCredentials("production", Credentials.of("given-user", "given-pw")));
      assertThat(server.credentials().username()).isEqualTo("given-user");
      assertThat(server.credentials().password()).isEqualTo("given-pw");
    }

    @Test
    void a_2x_requirement_resolves_through_components_security_schemes() {
      AsyncApiDocument document = AsyncApiDocument.parse("""
          asyncapi: 2.6.0
          info: {title: t, version: '1'}
          servers:
            broker:
              url: 'mqtt://broker:1883'
              protocol: mqtt
              security: [{user: []}]
          channels: {}
          components:
            securitySchemes:
              user: {type: userPassword, description: ask ops}
          """, "v2-security.yaml");
      ServerConfig server = document.resolveServer(ServerSelection.documentOnly()
          .withCredentials("broker", Credentials.of("u", "p")));
      assertThat(server.security()).singleElement().satisfies(scheme -> {
        assertThat(scheme.name()).isEqualTo("user");
        assertThat(scheme.type()).isEqualTo("userPassword");
        assertThat(scheme.details()).containsEntry("description", "ask ops");
      });
    }

    @Test
    void a_scheme_that_needs_no_password_needs_no_credentials() {
      AsyncApiDocument document = AsyncApiDocument.parse("""
          asyncapi: 3.0.0
          info: {title: t, version: '1'}
          servers:
            tls: {host: 'broker:9093', protocol: kafka-secure, security: [{type: X509}]}
          """, "x509.yaml");
      assertThat(document.resolveServer(ServerSelection.documentOnly()).security())
          .extracting(dev.omnibus.spi.SecurityScheme::type).containsExactly("X509");
    }

    @Test
    void secrets_appear_in_no_exception_message_and_no_log_line() {
      String secret = "s3cr3t-Pa55word-never-shown";
      PrintStream originalErr = System.err;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      ConfigurationException e;
      ServerConfig server;
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        e = catchThrowableOfType(ConfigurationException.class, () -> v3().resolveServer(env(Map.of(
            "OMNIBUS_PRODUCTION_PASSWORD", secret)).withServer("production").withVariable("port", "1")));
        server = v3().resolveServer(env(Map.of("OMNIBUS_PRODUCTION_USERNAME", "svc",
            "OMNIBUS_PRODUCTION_PASSWORD", secret)).withServer("production").withVariable("vhost", "v"));
      } finally {
        System.setErr(originalErr);
      }
      String log = captured.toString(StandardCharsets.UTF_8);
      assertThat(e.getMessage()).doesNotContain(secret).contains("the user name is missing");
      assertThat(log).contains("Using AsyncAPI server 'production'", "OMNIBUS_PRODUCTION_PASSWORD")
          .doesNotContain(secret);
      assertThat(server.toString()).doesNotContain(secret);
      assertThat(env(Map.of()).withCredentials("production", Credentials.of("svc", secret)).toString())
          .doesNotContain(secret);
    }
  }
}
