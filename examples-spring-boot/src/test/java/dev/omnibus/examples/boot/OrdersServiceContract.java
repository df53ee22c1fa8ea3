package dev.omnibus.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What the orders service does, whichever broker carries its events; one subclass per broker. */
abstract class OrdersServiceContract {

  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired JsonMapper json;

  abstract String expectedProtocol();

  @Test
  void aPostedOrderIsPublishedConsumedAndCharged() throws Exception {
    JsonNode placed = send(HttpRequest.newBuilder(uri("/orders"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"ada\",\"totalMinor\":4599,\"currency\":\"EUR\"}"))
        .build(), 202);
    String orderId = placed.get("orderId").asString();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(send(HttpRequest.newBuilder(uri("/orders/" + orderId)).build(), 200).get("status").asString())
            .isEqualTo("PAID"));
  }

  @Test
  void healthShowsTheBusAndItsBroker() throws Exception {
    JsonNode omnibus = send(HttpRequest.newBuilder(uri("/actuator/health")).build(), 200)
        .get("components").get("omnibus");

    assertThat(omnibus.get("status").asString()).isEqualTo("UP");
    assertThat(omnibus.get("details").get("protocol").asString()).isEqualTo(expectedProtocol());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private JsonNode send(HttpRequest request, int status) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return json.readTree(response.body());
  }
}
