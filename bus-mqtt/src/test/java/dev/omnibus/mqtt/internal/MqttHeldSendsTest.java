package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.PublishException;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.mqtt.MqttBroker;
import dev.omnibus.mqtt.TcpProxy;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Send never blocks while paho reconnects, on the machine's Mosquitto. The shared broker keeps running: the publishing
 * client connects through a proxy of the test's own, which cuts its connection and refuses new ones for a while.
 */
class MqttHeldSendsTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MQTT);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void brokerIsThere() {
    MqttBroker.assumeReachable();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private MqttTransport open(String host) {
    return open(ServerConfig.of("held", "mqtt", host));
  }

  private MqttTransport open(ServerConfig server) {
    MqttTransport transport = MqttTransport.open(server);
    resources.add(transport);
    return transport;
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
  void sendsWhilePahoReconnectsReturnAtOnceAndGoOutInOrderOnceItIsBack() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    MqttTransport flaky = open(proxy.address());
    MqttTransport direct = open(MqttBroker.HOST + ":" + MqttBroker.PORT);
    Destination topic = Destination.of(MqttBroker.uniqueTopic("held"));
    resources.add(direct.subscribe(topic, SubscribeOptions.group(null), delivery -> {
      byte[] body = delivery.message().body();
      received.add(body == null ? "" : new String(body, StandardCharsets.UTF_8));
      delivery.ack();
    }));

    proxy.cutAndRefuse();
    Awaitility.await().atMost(WAIT).until(() -> !flaky.publisherConnected());
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sends.add(flaky.send(topic, event("held-" + i)).toCompletableFuture());
    }

    assertThat(sends).as("returned while the connection is down").allSatisfy(send -> assertThat(send).isNotDone());
    proxy.restore();
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Awaitility.await().atMost(WAIT).until(() -> received.size() >= 3);
    assertThat(received).containsExactly("held-0", "held-1", "held-2");
  }

  @Test
  void aSendHeldLongerThanTheHoldFailsWithAPublishExceptionNamingTheOption() throws Exception {
    TcpProxy proxy = new TcpProxy(MqttBroker.HOST, MqttBroker.PORT);
    resources.add(proxy);
    MqttTransport flaky = open(ServerConfig.of("held", "mqtt", proxy.address()).withOption("send-hold-timeout", "1ms"));

    proxy.cutAndRefuse();
    Awaitility.await().atMost(WAIT).until(() -> !flaky.publisherConnected());
    CompletableFuture<Void> send = flaky.send(Destination.of(MqttBroker.uniqueTopic("expired")), event("never"))
        .toCompletableFuture();

    // The transport expires held sends twice a second.
    assertThatThrownBy(() -> send.get(WAIT.toSeconds(), TimeUnit.SECONDS)).cause()
        .isInstanceOf(PublishException.class)
        .hasMessageContaining("x-omnibus-send-hold-timeout").hasMessageContaining("down or recovering");
  }
}
