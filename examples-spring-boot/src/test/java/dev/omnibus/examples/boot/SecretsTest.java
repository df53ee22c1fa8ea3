package dev.omnibus.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.spring.boot.OmnibusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The broker password, given as the environment would, shows neither in the log nor in /actuator/env. */
@ExtendWith(OutputCaptureExtension.class)
@OmnibusTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "RABBITMQ_PASSWORD=pw-7f3c-do-not-show",
    "management.endpoints.web.exposure.include=health,env,configprops",
    "logging.level.dev.omnibus=DEBUG"})
class SecretsTest {

  private static final String SECRET = "pw-7f3c-do-not-show";

  @LocalServerPort int port;

  @Test
  void actuatorEnvAndConfigpropsShowNoPassword() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String endpoint : new String[] {"/actuator/env", "/actuator/configprops"}) {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + endpoint)).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("omnibus").doesNotContain(SECRET);
    }
  }

  @Test
  void startingTheApplicationLogsNoPassword(CapturedOutput output) {
    assertThat(output.getAll()).contains("Omnibus consuming").doesNotContain(SECRET);
  }
}
