package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.rabbitmq.internal.RabbitMqSettings;
import dev.omnibus.rabbitmq.internal.RabbitMqSettings.DeclareMode;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.SecurityScheme;
import dev.omnibus.spi.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How the binding reads an AsyncAPI server; no broker needed. */
class RabbitMqSettingsTest {

  private static final SecurityScheme USER_PASSWORD = new SecurityScheme("user-password", "userPassword", Map.of());

  @Test
  void amqpDefaultsToPort5672WithoutTlsAndAmqpsTo5671WithTls() {
    RabbitMqSettings plain = RabbitMqSettings.from(ServerConfig.of("p", "amqp", "rabbit.example.org"));
    RabbitMqSettings secure = RabbitMqSettings.from(ServerConfig.of("s", "amqps", "rabbit.example.org"));

    assertThat(plain.port()).isEqualTo(5672);
    assertThat(plain.tls()).isFalse();
    assertThat(secure.port()).isEqualTo(5671);
    assertThat(secure.tls()).isTrue();
  }

  @Test
  void aPortInTheHostWins() {
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqps", "rabbit.example.org:15671")).port())
        .isEqualTo(15671);
  }

  @ParameterizedTest(name = "pathname {0} is virtual host {1}")
  @CsvSource(delimiter = '|', value = {
      "/production|production",
      "/|/",
      "/%2F|/",
      "/%2Fstaging|/staging",
      "/team%20a|team a"})
  void thePathnameIsTheVirtualHostReadAsAnAmqpUriPath(String pathname, String virtualHost) {
    ServerConfig server = ServerConfig.of("p", "amqp", "h").withPathname(pathname);

    assertThat(RabbitMqSettings.from(server).virtualHost()).isEqualTo(virtualHost);
  }

  @Test
  void noPathnameIsTheDefaultVirtualHost() {
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")).virtualHost()).isEqualTo("/");
  }

  @Test
  void aPathnameOfTwoSegmentsIsRefused() {
    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h").withPathname("/a/b")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("servers.p.pathname");
  }

  @Test
  void withoutASecuritySchemeTheBrokersGuestAccountIsUsed() {
    RabbitMqSettings settings = RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h"));

    assertThat(settings.username()).isEqualTo("guest");
    assertThat(settings.password()).isEqualTo("guest");
  }

  @Test
  void aUserPasswordSchemeTakesTheGivenCredentials() {
    ServerConfig server = ServerConfig.of("p", "amqp", "h").withSecurity(List.of(USER_PASSWORD))
        .withCredentials(Credentials.of("orders", "s3cret"));

    RabbitMqSettings settings = RabbitMqSettings.from(server);

    assertThat(settings.username()).isEqualTo("orders");
    assertThat(settings.password()).isEqualTo("s3cret");
    assertThat(settings.toString()).doesNotContain("s3cret");
  }

  @Test
  void aUserPasswordSchemeWithoutCredentialsIsAnErrorNamingTheEnvironmentVariables() {
    ServerConfig server = ServerConfig.of("prod-eu", "amqp", "h").withSecurity(List.of(USER_PASSWORD));

    assertThatThrownBy(() -> RabbitMqSettings.from(server))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("servers.prod-eu.security")
        .hasMessageContaining("OMNIBUS_PROD_EU_USERNAME")
        .hasMessageContaining("OMNIBUS_PROD_EU_PASSWORD");
  }

  @Test
  void onlyUnsupportedSchemesAreAnError() {
    ServerConfig server = ServerConfig.of("p", "amqp", "h")
        .withSecurity(List.of(new SecurityScheme("cert", "X509", Map.of())))
        .withCredentials(Credentials.of("u", "p"));

    assertThatThrownBy(() -> RabbitMqSettings.from(server))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("[X509]");
  }

  @Test
  void optionsAreReadAndEveryBadOneIsReportedTogether() {
    RabbitMqSettings settings = RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")
        .withOption("exchange", "events").withOption("declare", "passive").withOption("mandatory", "true")
        .withOption("prefetch", "10"));
    assertThat(settings.exchange()).isEqualTo("events");
    assertThat(settings.declareMode()).isEqualTo(DeclareMode.PASSIVE);
    assertThat(settings.mandatory()).isTrue();
    assertThat(settings.prefetch()).isEqualTo(10);

    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")
        .withOption("declare", "sometimes").withOption("prefetch", "-1").withOption("exchange", "amq.topic")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path)
            .containsExactlyInAnyOrder("servers.p.x-omnibus-declare", "servers.p.x-omnibus-prefetch",
                "servers.p.x-omnibus-exchange"));
  }

  @Test
  void theFormerRecoveryHoldSpellingInMillisecondsStillWorks() {
    assertThat(RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h").withOption("recovery-hold-ms", "5000"))
        .held().hold()).isEqualTo(Duration.ofSeconds(5));
    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h")
        .withOption("recovery-hold-ms", "0")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path).containsExactly("servers.p.x-omnibus-recovery-hold-ms"));
  }

  @Test
  void anotherProtocolOrVersionIsRefused() {
    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "kafka", "h")))
        .hasMessageContaining("use amqp or amqps");
    assertThatThrownBy(() -> RabbitMqSettings.from(ServerConfig.of("p", "amqp", "h").withProtocolVersion("1.0.0")))
        .hasMessageContaining("AMQP 0.9.1 only");
  }
}
