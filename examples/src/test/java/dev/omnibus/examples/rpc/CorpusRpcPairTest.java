package dev.omnibus.examples.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import dev.omnibus.tck.Corpus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The AsyncAPI examples' own RPC pair (rpc-server and rpc-client, 3.0.0, read in place from the corpus) on the
 * machine's RabbitMQ: the server answers on the queue each request names, with its correlation id. The documents link
 * request and reply by {@code correlationId} only (no {@code reply} object), so each client reads a reply queue of its
 * own, and the reply is checked against the document's {@code queue} channel.
 */
class CorpusRpcPairTest {

  /** The request's payload as the documents describe it. */
  public record Sum(List<Double> numbers) {}

  /** The reply's payload. */
  public record SumResult(double result) {}

  private static final EventType<Sum> SUM = EventType.of("sum", Sum.class).channel("rpc_queue");
  private static final EventType<SumResult> SUM_RESULT = EventType.of("sendSumResult", SumResult.class)
      .channel("queue");

  private static EventBus bus(Path document) {
    // The documents' server is rabbitmq.example.org: the machine's broker stands in for it.
    return EventBus.builder().asyncApi(document).server(ServerConfig.of("production", "amqp", "127.0.0.1:5672")
        .withCredentials(Credentials.of("guest", "guest"))).build();
  }

  @Test
  void theServerOfTheRpcServerDocumentAnswersTheClientOfTheRpcClientDocument() {
    Path examples = Corpus.dir().resolve("asyncapi-examples");
    Brokers.assumeReachable("RabbitMQ", "127.0.0.1", 5672, "Install and start it: " + Brokers.INSTALL
        + " && sudo service rabbitmq-server start");
    try (EventBus server = bus(examples.resolve("asyncapi-spec__v3.0.0__rpc-server-asyncapi.yml"));
        EventBus client = bus(examples.resolve("asyncapi-spec__v3.0.0__rpc-client-asyncapi.yml"))) {
      server.respond(SUM, "rpc-server", SUM_RESULT, request ->
          new SumResult(request.data().numbers().stream().mapToDouble(Double::doubleValue).sum()));

      Event<SumResult> reply = client.request(SUM, new Sum(List.of(4.0, 3.0)), SUM_RESULT, Duration.ofSeconds(30))
          .toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();

      assertThat(reply.data()).isEqualTo(new SumResult(7.0));
    }
  }
}
