package dev.omnibus.memory.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.RemoteFailureException;
import dev.omnibus.ValidationException;
import dev.omnibus.memory.InMemoryBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request/reply from the document's {@code reply} object on the in-memory broker: its reply address location and
 * correlation id location, and validation of both directions against the document's schemas.
 */
class InMemoryRequestReplyContractTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  record Costing(String item) {}

  record Cost(Object amount) {}

  private static final EventType<Costing> COSTING = EventType.of("com.example.costing.requested.v1", Costing.class)
      .channel("costingRequests");
  private static final EventType<Cost> COST = EventType.of("com.example.costing.computed.v1", Cost.class)
      .channel("costingResponses");

  @TempDir
  Path dir;

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<Interceptor.Publishing> published = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    buses.forEach(EventBus::close);
  }

  private EventBus bus(String replyAddress) throws IOException {
    Path document = Files.writeString(dir.resolve("asyncapi.yaml"), """
        asyncapi: 3.0.0
        info: {title: costing, version: '1'}
        servers:
          local: {host: %s, protocol: memory}
        channels:
          costingRequests:
            address: costing.requests
            messages:
              costing:
                x-omnibus-type: com.example.costing.requested.v1
                correlationId: {location: '$message.header#/REQUEST_ID'}
                payload:
                  type: object
                  required: [item]
                  properties:
                    item: {type: string, minLength: 1}
          costingResponses:
            address: %s
            messages:
              cost:
                x-omnibus-type: com.example.costing.computed.v1
                correlationId: {location: '$message.header#/REQUEST_ID'}
                payload:
                  type: object
                  required: [amount]
                  properties:
                    amount: {type: number}
        operations:
          requestCosting:
            action: send
            channel: {$ref: '#/channels/costingRequests'}
            reply:
              channel: {$ref: '#/channels/costingResponses'}
          computeCosting:
            action: receive
            channel: {$ref: '#/channels/costingRequests'}
            reply:
              channel: {$ref: '#/channels/costingResponses'}
        """.formatted(broker.server().host(), replyAddress));
    EventBus bus = EventBus.builder().asyncApi(document).server("local").intercept(new Interceptor() {
      @Override
      public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
        published.add(publishing);
        return next.proceed(publishing);
      }
    }).build();
    buses.add(bus);
    return bus;
  }

  private static <T> T await(CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Test
  void theDocumentsReplyChannelCarriesTheReplyAndItsCorrelationHeaderTravelsToo() throws Exception {
    bus("costing.responses").respond(COSTING, "costing", COST, request -> new Cost(42.5));
    EventBus requester = bus("costing.responses");

    Event<Cost> reply = await(requester.request(COSTING, new Costing("sku-1"), COST, WAIT));

    assertThat(reply.data()).isEqualTo(new Cost(42.5));
    Interceptor.Publishing request = published.stream().filter(p -> p.kind() == Interceptor.Kind.EVENT)
        .findFirst().orElseThrow();
    assertThat(request.event().getExtension("replyto")).isEqualTo("costing.responses");
    assertThat(request.event().getExtension("requestid")).isNotNull()
        .isEqualTo(request.event().getExtension("correlationid"));
    assertThat(reply.extension("requestid")).isEqualTo(request.event().getExtension("correlationid"));
  }

  @Test
  void anInvalidRequestIsRefusedBeforeAnythingIsSent() throws Exception {
    EventBus requester = bus("costing.responses");

    assertThatThrownBy(() -> await(requester.request(COSTING, new Costing(""), COST, WAIT)))
        .hasCauseInstanceOf(ValidationException.class);
    assertThat(requester.requestStats().sent()).isZero();
    assertThat(requester.requestStats().pending()).isZero();
  }

  @Test
  void anInvalidReplyIsRefusedAndTheRequesterGetsAnErrorReplySayingWhy() throws Exception {
    bus("costing.responses").respond(COSTING, "costing", COST, request -> new Cost("not a number"));
    EventBus requester = bus("costing.responses");

    assertThatThrownBy(() -> await(requester.request(COSTING, new Costing("sku-1"), COST, WAIT)))
        .hasCauseInstanceOf(RemoteFailureException.class)
        .hasMessageContaining("ValidationException").hasMessageContaining("does not match its AsyncAPI schema");
    // The recorder runs before validation: it saw the refused reply, then the error reply that went out instead.
    assertThat(published).filteredOn(p -> p.kind() == Interceptor.Kind.REPLY).hasSize(2)
        .satisfiesExactly(refused -> assertThat(refused.event().getExtension("replyerror")).isNull(),
            error -> assertThat(error.event().getExtension("replyerror")).asString().doesNotContain("\n"));
  }
}
