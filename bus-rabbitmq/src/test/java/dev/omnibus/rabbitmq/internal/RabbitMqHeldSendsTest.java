package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.PublishException;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.rabbitmq.RabbitMqBroker;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Send never blocks while the publishing connection recovers, on the machine's real RabbitMQ. The broker is not
 * restarted (others use it): the transport is put in the recovering state through the hooks its amqp-client recovery
 * listener calls, so the sends take the same path as during a real recovery.
 */
class RabbitMqHeldSendsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.AMQP);

  private final List<RabbitMqTransport> transports = new ArrayList<>();
  private final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void brokerIsThere() {
    RabbitMqBroker.assumeReachable();
  }

  @AfterEach
  void closeTransports() {
    transports.forEach(RabbitMqTransport::close);
  }

  private RabbitMqTransport open(ServerConfig server) {
    RabbitMqTransport transport = RabbitMqTransport.open(server);
    transports.add(transport);
    return transport;
  }

  /** A destination with an anonymous subscription recording the bodies it receives. */
  private Destination subscribed(RabbitMqTransport transport) {
    Destination destination = Destination.of(RabbitMqBroker.unique("held"));
    transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
      byte[] body = delivery.message().body();
      received.add(body == null ? "" : new String(body, StandardCharsets.UTF_8));
      delivery.ack();
    });
    return destination;
  }

  private static WireMessage event(String text) {
    return CODEC.encode(CloudEventBuilder.v1()
        .withId(text)
        .withSource(URI.create("/held-sends-test"))
        .withType("dev.omnibus.test.v1")
        .withDataContentType("text/plain")
        .withData(text.getBytes(StandardCharsets.UTF_8))
        .build(), Mode.BINARY);
  }

  @Test
  void aSendWhileTheConnectionRecoversReturnsAtOnceAndGoesOutOnceItIsBack() throws Exception {
    RabbitMqTransport transport = open(RabbitMqBroker.server("held"));
    Destination destination = subscribed(transport);
    transport.recoveryStarted();

    CompletionStage<Void> sent = transport.send(destination, event("during recovery"));

    assertThat(sent.toCompletableFuture()).as("returned before the connection is back").isNotDone();
    transport.recoveryCompleted();
    sent.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Awaitility.await().atMost(WAIT).until(() -> received.contains("during recovery"));
  }

  @Test
  void sendsBeyondTheConfirmWindowAreHeldInOrderInsteadOfBlockingTheSender() throws Exception {
    RabbitMqTransport transport = open(RabbitMqBroker.server("held-window").withOption("confirm-window", "1"));
    Destination destination = subscribed(transport);
    transport.recoveryStarted();

    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sends.add(transport.send(destination, event("held-" + i)).toCompletableFuture());
    }

    assertThat(sends).allSatisfy(send -> assertThat(send).isNotDone());
    transport.recoveryCompleted();
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Awaitility.await().atMost(WAIT).until(() -> received.size() >= 5);
    assertThat(received).containsExactly("held-0", "held-1", "held-2", "held-3", "held-4");
  }

  @Test
  void aSendHeldLongerThanTheHoldFailsWithAPublishExceptionNamingTheOption() {
    RabbitMqTransport transport = open(RabbitMqBroker.server("held-expiry").withOption("send-hold-timeout", "1ms"));
    Destination destination = subscribed(transport);
    transport.recoveryStarted();

    CompletionStage<Void> sent = transport.send(destination, event("never"));

    // The transport's timer expires held sends once a second.
    assertThatThrownBy(() -> sent.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS))
        .cause().isInstanceOf(PublishException.class)
        .hasMessageContaining("x-omnibus-send-hold-timeout").hasMessageContaining("down or recovering");
  }
}
