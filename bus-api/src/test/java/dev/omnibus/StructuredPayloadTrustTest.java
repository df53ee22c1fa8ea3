package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportProvider;
import dev.omnibus.spi.TransportSubscription;
import io.cloudevents.CloudEventData;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Only payload bytes that the bus's Jackson codec wrote are handed to the envelope as JSON it need not re-check; bytes
 * of any other origin under a JSON content type are still checked, and written as {@code data_base64} when not JSON.
 */
class StructuredPayloadTrustTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] NOT_JSON = "{not json".getBytes(StandardCharsets.UTF_8);
  private static final Class<?> PRODUCED_JSON = EnvelopeCodec.producedJson(new byte[0]).getClass();

  record Note(String text) {}

  @Test
  void theJsonCodecsBytesReachTheEnvelopeAsProducedJson() throws Exception {
    Capturing transport = new Capturing();
    List<CloudEventData> seen = new CopyOnWriteArrayList<>();
    try (EventBus bus = bus(transport, seen)) {
      bus.publish(EventType.of("com.example.trust.note", Note.class).channel("notes"), new Note("hi"))
          .toCompletableFuture().join();
    }
    assertThat(seen).singleElement().isInstanceOf(PRODUCED_JSON);
    JsonNode body = JSON.readTree(transport.sent.get(0).body());
    assertThat(body.get("data")).isEqualTo(JSON.readTree("{\"text\":\"hi\"}"));
  }

  @Test
  void aByteArrayPayloadUnderAJsonContentTypeIsStillCheckedAndSentAsBase64WhenNotJson() throws Exception {
    Capturing transport = new Capturing();
    List<CloudEventData> seen = new CopyOnWriteArrayList<>();
    EventType<byte[]> raw = EventType.of("com.example.trust.raw", byte[].class).channel("notes");
    try (EventBus bus = bus(transport, seen)) {
      bus.publish(raw.event(NOT_JSON).dataContentType("application/json").build()).toCompletableFuture().join();
    }
    assertThat(seen).singleElement().isNotInstanceOf(PRODUCED_JSON);
    assertBase64(transport.sent.get(0));
  }

  @Test
  void aUsersOwnCodecClaimingJsonIsStillCheckedAndSentAsBase64WhenNotJson() throws Exception {
    Capturing transport = new Capturing();
    List<CloudEventData> seen = new CopyOnWriteArrayList<>();
    EventType<String> claimed = EventType.of("com.example.trust.claimed", String.class).channel("notes")
        .codec(new PayloadCodec<>() {
          @Override
          public String contentType() {
            return "application/json";
          }

          @Override
          public byte[] encode(String payload) {
            return payload.getBytes(StandardCharsets.UTF_8);
          }

          @Override
          public String decode(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
          }
        });
    try (EventBus bus = bus(transport, seen)) {
      bus.publish(claimed, "{not json").toCompletableFuture().join();
    }
    assertThat(seen).singleElement().isNotInstanceOf(PRODUCED_JSON);
    assertBase64(transport.sent.get(0));
  }

  private static void assertBase64(WireMessage message) throws Exception {
    JsonNode body = JSON.readTree(message.body());
    assertThat(body.has("data")).isFalse();
    assertThat(body.get("data_base64").binaryValue()).isEqualTo(NOT_JSON);
  }

  private static EventBus bus(Capturing transport, List<CloudEventData> seen) {
    Interceptor recordData = new Interceptor() {
      @Override
      public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
        seen.add(publishing.event().getData());
        return next.proceed(publishing);
      }
    };
    return EventBus.builder().server(ServerConfig.of("trust", "trust-test", "nowhere"))
        .transport(transport.provider()).mode("notes", Mode.STRUCTURED).intercept(recordData).build();
  }

  /** A transport that confirms every send at once and keeps the messages. */
  private static final class Capturing implements Transport {
    final List<WireMessage> sent = new CopyOnWriteArrayList<>();

    TransportProvider provider() {
      Transport self = this;
      return new TransportProvider() {
        @Override
        public Set<String> protocols() {
          return Set.of("trust-test");
        }

        @Override
        public Transport open(ServerConfig server) {
          return self;
        }
      };
    }

    @Override
    public CompletionStage<Void> send(Destination destination, WireMessage message) {
      sent.add(message);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public TransportSubscription subscribe(Destination destination, SubscribeOptions options,
        DeliveryHandler handler) {
      throw new UnsupportedOperationException("publishing only");
    }

    @Override
    public TransportCapabilities capabilities() {
      return TransportCapabilities.builder(HeaderConvention.MEMORY).build();
    }

    @Override
    public void close() {}
  }
}
