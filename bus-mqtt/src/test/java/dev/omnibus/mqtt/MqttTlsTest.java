package dev.omnibus.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.OwnMosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A TLS failure says it is one, and what to do: trust the broker's certificate. */
class MqttTlsTest {

  private OwnMosquitto broker;

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void aBrokerCertificateTheTrustStoreDoesNotTrustIsNamedAsATlsTrustProblem() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "tls-" + System.nanoTime()).toAbsolutePath());
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl = new ProcessBuilder(OwnMosquitto.find("openssl"), "req", "-x509", "-newkey", "rsa:2048",
        "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key.toString(), "-out", cert.toString())
        .redirectErrorStream(true).start();
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();
    // Mosquitto may drop to its own user: it must read the key.
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    broker = OwnMosquitto.start("tls", List.of("certfile " + cert, "keyfile " + key));

    ServerConfig server = ServerConfig.of("secure", "mqtts", "localhost:" + broker.port())
        .withOption("connect-timeout-seconds", "5");

    assertThatThrownBy(() -> new MqttTransportProvider().open(server))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("TLS")
        .hasMessageContaining("trust store")
        .hasMessageNotContaining("Untranslated");
  }
}
