package dev.omnibus.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DeliverCallback;
import com.rabbitmq.client.Delivery;
import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request/reply with AMQP's own fields: a plain amqp-client requester that sets only {@code reply_to} and
 * {@code correlation_id} (to a queue of its own, or to RabbitMQ's direct reply-to) gets the bus's reply there with its
 * correlation id; a plain responder reads the bus's request's reply address and correlation id from those properties
 * and answers with only {@code correlation_id}.
 */
class RabbitMqRequestReplyTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.AMQP);
  private static final EventType<String> QUESTION = EventType.of("com.example.question", String.class)
      .channel("rpc");
  private static final EventType<String> ANSWER = EventType.of("com.example.answer", String.class);

  private final RabbitMqBroker broker = new RabbitMqBroker();
  private EventBus bus;
  private String address;

  @BeforeEach
  void open() {
    RabbitMqBroker.assumeReachable();
    address = RabbitMqBroker.unique("rpc.questions");
    bus = EventBus.builder().server(RabbitMqBroker.server("rpc")).channel("rpc", address).build();
  }

  @AfterEach
  void close() throws Exception {
    if (bus != null) {
      bus.close();
    }
    broker.close();
  }

  private static Map<String, Object> ceHeaders(String id, String type) {
    Map<String, Object> headers = new HashMap<>();
    headers.put("cloudEvents:specversion", "1.0");
    headers.put("cloudEvents:id", id);
    headers.put("cloudEvents:source", "/plain-client");
    headers.put("cloudEvents:type", type);
    return headers;
  }

  private static CloudEvent decode(Delivery delivery) {
    Map<String, String> headers = new HashMap<>();
    delivery.getProperties().getHeaders().forEach((name, value) -> headers.put(name, value.toString()));
    return CODEC.decode(new WireMessage(headers, delivery.getProperties().getContentType(), delivery.getBody(), null));
  }

  private void askPlainly(Channel channel, String replyTo, String correlationId) throws Exception {
    channel.basicPublish("omnibus", address, new AMQP.BasicProperties.Builder().contentType("text/plain")
        .headers(ceHeaders("plain-request-1", QUESTION.type())).replyTo(replyTo).correlationId(correlationId)
        .build(), "stock of sku-1?".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aPlainRequesterWithReplyToAndCorrelationIdGetsTheReplyInItsQueue() throws Exception {
    bus.respond(QUESTION, "stock", ANSWER, request -> "re:" + request.data());
    try (Channel channel = broker.plain().createChannel()) {
      String replyQueue = channel.queueDeclare().getQueue();
      CompletableFuture<Delivery> reply = new CompletableFuture<>();
      channel.basicConsume(replyQueue, true, (DeliverCallback) (tag, delivery) -> reply.complete(delivery), tag -> {});

      askPlainly(channel, replyQueue, "plain-42");

      Delivery delivery = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(delivery.getProperties().getCorrelationId()).isEqualTo("plain-42");
      CloudEvent event = decode(delivery);
      assertThat(event.getType()).isEqualTo(ANSWER.type());
      assertThat(event.getExtension("correlationid")).isEqualTo("plain-42");
      assertThat(new String(event.getData().toBytes(), StandardCharsets.UTF_8)).contains("re:stock of sku-1?");
    }
  }

  @Test
  void aPlainRequesterUsingDirectReplyToGetsTheReply() throws Exception {
    bus.respond(QUESTION, "stock", ANSWER, request -> "re:" + request.data());
    try (Channel channel = broker.plain().createChannel()) {
      CompletableFuture<Delivery> reply = new CompletableFuture<>();
      // Direct reply-to: consume the pseudo-queue without acks on the channel that publishes the request.
      channel.basicConsume("amq.rabbitmq.reply-to", true, (DeliverCallback) (tag, delivery) -> reply.complete(delivery),
          tag -> {});

      askPlainly(channel, "amq.rabbitmq.reply-to", "direct-7");

      Delivery delivery = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(delivery.getProperties().getCorrelationId()).isEqualTo("direct-7");
      assertThat(decode(delivery).getType()).isEqualTo(ANSWER.type());
    }
  }

  @Test
  void aPlainResponderReadsTheRequestsPropertiesAndItsCorrelationOnlyReplyIsAccepted() throws Exception {
    try (Channel channel = broker.plain().createChannel()) {
      String requests = channel.queueDeclare().getQueue();
      channel.queueBind(requests, "omnibus", address);
      channel.basicConsume(requests, true, (DeliverCallback) (tag, delivery) -> {
        AMQP.BasicProperties asked = delivery.getProperties();
        channel.basicPublish("", asked.getReplyTo(), new AMQP.BasicProperties.Builder().contentType("text/plain")
            .headers(ceHeaders("plain-reply-1", ANSWER.type())).correlationId(asked.getCorrelationId()).build(),
            "42 in stock".getBytes(StandardCharsets.UTF_8));
      }, tag -> {});

      Event<String> reply = bus.request(QUESTION, "stock of sku-1?", ANSWER, WAIT).toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);

      assertThat(reply.data()).isEqualTo("42 in stock");
      assertThat(reply.id()).isEqualTo("plain-reply-1");
    }
  }
}
