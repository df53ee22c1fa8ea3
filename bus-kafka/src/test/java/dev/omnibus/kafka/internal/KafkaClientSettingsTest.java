package dev.omnibus.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SecurityScheme;
import dev.omnibus.spi.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** How a server's AsyncAPI settings become Kafka client properties; no broker needed. */
class KafkaClientSettingsTest {

  private static ServerConfig server(String protocol, String host, String... schemeTypes) {
    List<SecurityScheme> schemes = java.util.Arrays.stream(schemeTypes)
        .map(type -> new SecurityScheme(type + "Scheme", type, Map.of())).toList();
    return ServerConfig.of("prod", protocol, host).withSecurity(schemes);
  }

  @Test
  void theHostIsTheBootstrapListWithKafkasDefaultPortWhereNoneIsGiven() {
    KafkaClientSettings settings = KafkaClientSettings.fromServer(server("kafka", "a.example:9093, b.example,[::1]"));
    assertThat(settings.producer()).containsEntry("bootstrap.servers", "a.example:9093,b.example:9092,[::1]:9092");
  }

  @Test
  void theProducerIsIdempotentWithAcksAllAndAShortLinger() {
    Map<String, Object> producer = KafkaClientSettings.fromServer(server("kafka", "k:9092")).producer();
    assertThat(producer).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
        .containsEntry("linger.ms", 5).containsEntry("security.protocol", "PLAINTEXT");
  }

  @Test
  void theProducerRetriesThroughALeaderFailoverForTwoMinutesWithoutReordering() {
    Map<String, Object> producer = KafkaClientSettings.fromServer(server("kafka", "k:9092")).producer();
    assertThat(producer).containsEntry("retries", Integer.MAX_VALUE).containsEntry("delivery.timeout.ms", 120_000)
        .containsEntry("max.in.flight.requests.per.connection", 5);
  }

  @Test
  void theDeliveryTimeoutCanBeChosenPerServer() {
    Map<String, Object> producer = KafkaClientSettings.fromServer(server("kafka", "k:9092")
        .withOption("kafka.delivery.timeout.ms", "300000")).producer();
    assertThat(producer).containsEntry("delivery.timeout.ms", "300000");
  }

  @Test
  void scramOnKafkaSecureIsSaslSslWithTheCredentialsInTheJaasConfig() {
    ServerConfig server = server("kafka-secure", "k:9093", "scramSha512")
        .withCredentials(Credentials.of("alice", "s3cr\"et"));
    Map<String, Object> producer = KafkaClientSettings.fromServer(server).producer();
    assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat((String) producer.get("sasl.jaas.config"))
        .startsWith("org.apache.kafka.common.security.scram.ScramLoginModule required")
        .contains("username=\"alice\"").contains("password=\"s3cr\\\"et\"");
  }

  @Test
  void plainAndUserPasswordAreSaslPlain() {
    for (String type : List.of("plain", "userPassword")) {
      ServerConfig server = server("kafka", "k:9092", type).withCredentials(Credentials.of("bob", "pw"));
      assertThat(KafkaClientSettings.fromServer(server).producer())
          .containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "PLAIN");
    }
  }

  @Test
  void scramSha256IsSupported() {
    ServerConfig server = server("kafka", "k:9092", "scramSha256").withCredentials(Credentials.of("bob", "pw"));
    assertThat(KafkaClientSettings.fromServer(server).consumer(Destination.of("t"), "g", false, null, 0, false))
        .containsEntry("sasl.mechanism", "SCRAM-SHA-256");
  }

  @Test
  void kafkaSecureWithoutSaslIsTls() {
    assertThat(KafkaClientSettings.fromServer(server("kafka-secure", "k:9093")).admin())
        .containsEntry("security.protocol", "SSL");
  }

  @Test
  void x509IsMutualTlsWithTheKeystoreFromOptionsAndCredentials() {
    ServerConfig server = server("kafka-secure", "k:9093", "X509")
        .withOption("kafka.ssl.keystore.location", "/etc/client.p12")
        .withCredentials(new Credentials(null, null, Map.of("keystore.password", "ks-secret")));
    assertThat(KafkaClientSettings.fromServer(server).producer()).containsEntry("security.protocol", "SSL")
        .containsEntry("ssl.keystore.location", "/etc/client.p12").containsEntry("ssl.keystore.password", "ks-secret");
  }

  @Test
  void aSaslSchemeWithoutCredentialsIsAConfigurationErrorNamingTheEnvironmentVariablesAndNoSecret() {
    assertThatThrownBy(() -> KafkaClientSettings.fromServer(server("kafka", "k:9092", "plain")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("servers.prod.security")
        .hasMessageContaining("OMNIBUS_PROD_USERNAME").hasMessageContaining("OMNIBUS_PROD_PASSWORD");
  }

  @Test
  void noSupportedSchemeIsAConfigurationError() {
    assertThatThrownBy(() -> KafkaClientSettings.fromServer(server("kafka", "k:9092", "oauth2", "httpApiKey")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("oauth2");
  }

  @Test
  void kafkaOptionsPassThroughToEveryClientThatKnowsTheProperty() {
    ServerConfig server = server("kafka", "k:9092")
        .withOption("kafka.linger.ms", "20")
        .withOption("kafka.request.timeout.ms", "15000")
        .withOption("kafka.consumer.interceptor.own.setting", "x");
    KafkaClientSettings settings = KafkaClientSettings.fromServer(server);
    assertThat(settings.producer()).containsEntry("linger.ms", "20").containsEntry("request.timeout.ms", "15000");
    assertThat(settings.admin()).containsEntry("request.timeout.ms", "15000").doesNotContainKey("linger.ms");
    assertThat(settings.consumer(Destination.of("t"), "g", false, null, 0, false))
        .containsEntry("request.timeout.ms", "15000").containsEntry("interceptor.own.setting", "x")
        .doesNotContainKey("linger.ms");
  }

  @Test
  void unknownAndReservedPropertiesAreReportedTogether() {
    ServerConfig server = server("kafka", "k:9092")
        .withOption("kafka.lingerr.ms", "20")
        .withOption("kafka.group.id", "g")
        .withOption("kafka-create-topics", "maybe");
    assertThatThrownBy(() -> KafkaClientSettings.fromServer(server))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(3))
        .hasMessageContaining("lingerr.ms").hasMessageContaining("group.id").hasMessageContaining("kafka-create-topics");
  }

  @Test
  void timeoutsAreDurationsWrittenWithTheirUnit() {
    KafkaClientSettings settings = KafkaClientSettings.fromServer(server("kafka", "k:9092")
        .withOption("kafka-subscribe-timeout", "5s").withOption("kafka-close-timeout", "PT2S")
        .withOption("kafka-pattern-refresh-interval", "250ms"));

    assertThat(settings.subscribeTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.closeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.consumer(Destination.of("t.{p}"), "g", false, null, 0, true))
        .containsEntry("metadata.max.age.ms", 250);
  }

  @Test
  void theFormerMillisecondSpellingsStillWork() {
    KafkaClientSettings settings = KafkaClientSettings.fromServer(server("kafka", "k:9092")
        .withOption("kafka-subscribe-timeout-ms", "4000").withOption("kafka-close-timeout-ms", "1500"));

    assertThat(settings.subscribeTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(settings.closeTimeout()).isEqualTo(Duration.ofMillis(1500));
  }

  @Test
  void aTimeoutWithoutUnitIsReportedAtItsOption() {
    assertThatThrownBy(() -> KafkaClientSettings.fromServer(server("kafka", "k:9092")
        .withOption("kafka-close-timeout", "10")))
        .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
            .extracting(ConfigurationException.Problem::path)
            .containsExactly("servers.prod.x-omnibus-kafka-close-timeout"))
        .hasMessageContaining("no unit");
  }

  @Test
  void aNamedGroupStartsAtTheEarliestOffsetAndAnAnonymousOneAtTheLatest() {
    KafkaClientSettings settings = KafkaClientSettings.fromServer(server("kafka", "k:9092"));
    assertThat(settings.consumer(Destination.of("t"), "billing", false, "client-1", 50, false))
        .containsEntry("group.id", "billing").containsEntry("auto.offset.reset", "earliest")
        .containsEntry("enable.auto.commit", false).containsEntry("client.id", "client-1")
        .containsEntry("max.poll.records", 50);
    assertThat(settings.consumer(Destination.of("t"), "omnibus-anonymous-1", true, null, 0, false))
        .containsEntry("auto.offset.reset", "latest");
  }

  @Test
  void aParameterisedAddressBecomesOneNonDotSegmentPerParameter() {
    Pattern pattern = KafkaTransport.wildcardPattern("orders.{region}.created");
    assertThat(pattern.matcher("orders.eu.created").matches()).isTrue();
    assertThat(pattern.matcher("orders.eu.west.created").matches()).isFalse();
    assertThat(pattern.matcher("ordersXeu.created").matches()).as("literal dots are quoted").isFalse();
    assertThat(pattern.matcher("orders..created").matches()).isFalse();
  }

  @Test
  void toStringShowsNoSecret() {
    ServerConfig server = server("kafka", "k:9092", "plain").withCredentials(Credentials.of("alice", "topsecret"));
    assertThat(KafkaClientSettings.fromServer(server).toString()).doesNotContain("topsecret");
  }
}
