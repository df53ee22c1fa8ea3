package dev.omnibus.examples.boot;

import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventType;
import dev.omnibus.examples.boot.OrderEvents.OrderPaid;
import dev.omnibus.examples.boot.OrderEvents.OrderPlaced;
import dev.omnibus.test.BusRecorder;
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
  @Autowired BusRecorder events;
  @Autowired EventType<OrderPlaced> orderPlaced;
  @Autowired EventType<OrderPaid> orderPaid;

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
  void aPostedOrderIsPublishedAndBillingPublishesThatItWasPaid() throws Exception {
    String orderId = send(HttpRequest.newBuilder(uri("/orders"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"bob\",\"totalMinor\":1250,\"currency\":\"EUR\"}"))
        .build(), 202).get("orderId").asString();

    assertThat(events).published(orderPlaced).extracting(OrderPlaced::orderId).containsExactly(orderId);
    assertThat(events).awaitPublished(orderPaid, 1).containsExactly(new OrderPaid(orderId, 1250, "EUR"));
    assertThat(events).consumed(orderPlaced).extracting(OrderPlaced::orderId).containsExactly(orderId);
    assertThat(events).hasNoDeadLetters();
  }

  @Test
  void readinessIncludesTheBus() throws Exception {
    JsonNode readiness = send(HttpRequest.newBuilder(uri("/actuator/health/readiness")).build(), 200);

    assertThat(readiness.get("status").asString()).isEqualTo("UP");
    assertThat(readiness.get("components").get("omnibus").get("status").asString()).isEqualTo("UP");
  }

  @Test
  void publishesAreMeteredInBootsMeterRegistry() throws Exception {
    send(HttpRequest.newBuilder(uri("/orders"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"customer\":\"eve\",\"totalMinor\":100,\"currency\":\"EUR\"}"))
        .build(), 202);

    await().untilAsserted(() -> {
      JsonNode meter = send(HttpRequest.newBuilder(uri("/actuator/metrics/messaging.client.operation.duration"))
          .build(), 200);
      assertThat(meter.get("measurements")).anySatisfy(measurement -> {
        assertThat(measurement.get("statistic").asString()).isEqualTo("COUNT");
        assertThat(measurement.get("value").asDouble()).isGreaterThanOrEqualTo(1);
      });
    });
  }

  @Test
  void healthShowsTheBusAndItsBroker() throws Exception {
    JsonNode omnibus = send(HttpRequest.newBuilder(uri("/actuator/health")).build(), 200)
        .get("components").get("omnibus");

    assertThat(omnibus.get("status").asString()).isEqualTo("UP");
    assertThat(omnibus.get("details").get("protocol").asString()).isEqualTo(expectedProtocol());
    assertThat(omnibus.get("details").get("transport").get("state").asString()).isEqualTo("UP");
    assertThat(omnibus.get("details").get("consumers").get(0).get("group").asString()).isEqualTo("billing");
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
