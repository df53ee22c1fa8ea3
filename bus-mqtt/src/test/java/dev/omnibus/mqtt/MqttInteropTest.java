package dev.omnibus.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.tck.Brokers;
import io.cloudevents.CloudEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the binding writes is what the CloudEvents MQTT binding says, as plain MQTT clients see it, and what such
 * clients write (including SDK-Go's {@code ce-}-prefixed user properties) is read by the bus: a plain paho client,
 * {@code mosquitto_pub}/{@code mosquitto_sub}, and a plain MQTT 3.1.1 client for structured mode.
 */
class MqttInteropTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The payload of the interop events. */
  public record Reading(String sensor, double celsius) {}

  private static final EventType<Reading> READING = EventType.of("com.example.sensor.reading", Reading.class)
      .channel("readings");

  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeAll
  static void broker() {
    MqttBroker.assumeReachable();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private EventBus bus(String topic, String protocolVersion) {
    EventBus bus = EventBus.builder()
        .server(MqttBroker.server("interop", protocolVersion))
        .channel("readings", topic)
        .source(URI.create("/interop-test"))
        .build();
    resources.add(bus);
    return bus;
  }

  /** A plain paho MQTT 5 client, recording what it receives. */
  private MqttAsyncClient plainClient(BlockingQueue<MqttMessage> received) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(MqttBroker.uri(), "interop-" + UUID.randomUUID(),
        new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse response) {}

      @Override
      public void mqttErrorOccurred(MqttException exception) {}

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        received.add(message);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {}

      @Override
      public void connectComplete(boolean reconnect, String serverUri) {}

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    });
    client.connect(new MqttConnectionOptions()).waitForCompletion(WAIT.toMillis());
    resources.add(() -> {
      client.disconnect().waitForCompletion(WAIT.toMillis());
      client.close();
    });
    return client;
  }

  private static MqttMessage publishable(String payload, String contentType, Map<String, String> userProperties) {
    MqttProperties properties = new MqttProperties();
    properties.setContentType(contentType);
    List<UserProperty> list = new ArrayList<>();
    userProperties.forEach((name, value) -> list.add(new UserProperty(name, value)));
    properties.setUserProperties(list);
    return new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, properties);
  }

  private static Map<String, String> userProperties(MqttMessage message) {
    Map<String, String> byName = new java.util.HashMap<>();
    for (UserProperty property : message.getProperties().getUserProperties()) {
      byName.put(property.getKey(), property.getValue());
    }
    return byName;
  }

  @Test
  void thePlainClientSeesTheAttributesAsUnprefixedUserPropertiesAndTheContentType() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-out");
    BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
    MqttAsyncClient plain = plainClient(received);
    plain.subscribe(new MqttSubscription(topic, 1)).waitForCompletion(WAIT.toMillis());
    EventBus bus = bus(topic, null);
    Event<Reading> event = READING.event(new Reading("s-1", 21.5)).subject("s-1").build();

    bus.publish(event).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    MqttMessage message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(message).as("message seen by the plain client").isNotNull();
    assertThat(userProperties(message))
        .containsEntry("id", event.id())
        .containsEntry("source", "/interop-test")
        .containsEntry("specversion", "1.0")
        .containsEntry("type", "com.example.sensor.reading")
        .containsEntry("subject", "s-1")
        .doesNotContainKeys("ce-id", "ce_id", "ce-specversion");
    assertThat(message.getProperties().getContentType()).isEqualTo("application/json");
    assertThat(new String(message.getPayload(), StandardCharsets.UTF_8)).contains("\"celsius\":21.5");
  }

  @Test
  void theBusReadsUnprefixedUserPropertiesAndTheContentTypeOfAPlainClient() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-in");
    EventBus bus = bus(topic, null);
    List<Event<Reading>> got = new CopyOnWriteArrayList<>();
    bus.subscribe(READING, got::add);
    MqttAsyncClient plain = plainClient(new LinkedBlockingQueue<>());

    plain.publish(topic, publishable("{\"sensor\":\"s-2\",\"celsius\":19.0}", "application/json", Map.of(
        "specversion", "1.0", "id", "plain-1", "source", "/plain-client", "type", "com.example.sensor.reading",
        "subject", "s-2", "comexampletrace", "abc")))
        .waitForCompletion(WAIT.toMillis());

    Awaitility.await().atMost(WAIT).until(() -> !got.isEmpty());
    Event<Reading> event = got.get(0);
    assertThat(event.id()).isEqualTo("plain-1");
    assertThat(event.source()).isEqualTo(URI.create("/plain-client"));
    assertThat(event.subject()).isEqualTo("s-2");
    assertThat(event.dataContentType()).isEqualTo("application/json");
    assertThat(event.data()).isEqualTo(new Reading("s-2", 19.0));
    assertThat(event.extension("comexampletrace")).hasToString("abc");
  }

  @Test
  void theBusReadsCePrefixedUserPropertiesAsSdkGoWritesThem() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-ce");
    EventBus bus = bus(topic, null);
    List<Event<Reading>> got = new CopyOnWriteArrayList<>();
    bus.subscribe(READING, got::add);
    MqttAsyncClient plain = plainClient(new LinkedBlockingQueue<>());

    plain.publish(topic, publishable("{\"sensor\":\"s-3\",\"celsius\":-4.5}", "application/json", Map.of(
        "ce-specversion", "1.0", "ce-id", "go-1", "ce-source", "/sdk-go", "ce-type", "com.example.sensor.reading")))
        .waitForCompletion(WAIT.toMillis());

    Awaitility.await().atMost(WAIT).until(() -> !got.isEmpty());
    assertThat(got.get(0).id()).isEqualTo("go-1");
    assertThat(got.get(0).source()).isEqualTo(URI.create("/sdk-go"));
    assertThat(got.get(0).data()).isEqualTo(new Reading("s-3", -4.5));
  }

  /** A message with user properties in the given order, names possibly repeated. */
  private static MqttMessage publishable(String payload, List<UserProperty> userProperties) {
    MqttProperties properties = new MqttProperties();
    properties.setContentType("application/json");
    properties.setUserProperties(userProperties);
    return new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), 1, false, properties);
  }

  /** Publishes the user properties from a plain client and returns the dead letter the bus made of them. */
  private CloudEvent deadLetterOf(String name, List<UserProperty> userProperties) throws Exception {
    String topic = MqttBroker.uniqueTopic(name);
    EventBus bus = bus(topic, null);
    List<Event<Reading>> handled = new CopyOnWriteArrayList<>();
    bus.subscribe(READING, "malformed", handled::add);
    EventBus reader = EventBus.builder()
        .server(MqttBroker.server("interop-dlq", null))
        .channel("dead", bus.deadLetterAddress("readings", "malformed"))
        .build();
    resources.add(reader);
    List<CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
    reader.subscribe("dead", "dead-letter-reader", deadLetters::add);

    plainClient(new LinkedBlockingQueue<>())
        .publish(topic, publishable("{\"sensor\":\"s-9\",\"celsius\":1.0}", userProperties))
        .waitForCompletion(WAIT.toMillis());

    Awaitility.await().atMost(WAIT).until(() -> !deadLetters.isEmpty());
    assertThat(handled).isEmpty();
    CloudEvent deadLetter = deadLetters.get(0);
    assertThat(deadLetter.getType()).isEqualTo("dev.omnibus.deadletter.malformed");
    return deadLetter;
  }

  private static List<UserProperty> requiredAttributes(String id) {
    return List.of(new UserProperty("specversion", "1.0"), new UserProperty("id", id),
        new UserProperty("source", "/plain-client"), new UserProperty("type", "com.example.sensor.reading"));
  }

  @Test
  void aUserPropertyThatIsNoAttributeNameMakesTheEventMalformedAsOnEveryBinding() throws Exception {
    List<UserProperty> properties = new ArrayList<>(requiredAttributes("bad-name"));
    properties.add(new UserProperty("my_ext", "x"));

    CloudEvent deadLetter = deadLetterOf("interop-bad-name", properties);

    assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("malformed:").contains("'my_ext'");
  }

  @Test
  void anUpperCaseUserPropertyIsNotLowerCasedIntoTheRequiredType() throws Exception {
    List<UserProperty> properties = List.of(new UserProperty("specversion", "1.0"), new UserProperty("id", "upper"),
        new UserProperty("source", "/plain-client"), new UserProperty("Type", "com.example.sensor.reading"));

    CloudEvent deadLetter = deadLetterOf("interop-upper", properties);

    assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("malformed:")
        .contains("'Type'").contains("type is required");
  }

  @Test
  void aRepeatedUserPropertyCountsWithItsFirstValueAsOnEveryBinding() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-repeat");
    EventBus bus = bus(topic, null);
    List<Event<Reading>> got = new CopyOnWriteArrayList<>();
    bus.subscribe(READING, got::add);
    List<UserProperty> properties = new ArrayList<>(requiredAttributes("first"));
    properties.add(new UserProperty("comexampleext", "one"));
    properties.add(new UserProperty("comexampleext", "two"));
    properties.add(new UserProperty("id", "second"));

    plainClient(new LinkedBlockingQueue<>())
        .publish(topic, publishable("{\"sensor\":\"s-8\",\"celsius\":2.0}", properties))
        .waitForCompletion(WAIT.toMillis());

    Awaitility.await().atMost(WAIT).until(() -> !got.isEmpty());
    assertThat(got.get(0).id()).isEqualTo("first");
    assertThat(got.get(0).extension("comexampleext")).hasToString("one");
  }

  @Test
  void mosquittoPubWithUserPropertiesIsReadByTheBus() throws Exception {
    String mosquittoPub = requireTool("mosquitto_pub");
    String topic = MqttBroker.uniqueTopic("interop-mosquitto-pub");
    EventBus bus = bus(topic, null);
    List<Event<Reading>> got = new CopyOnWriteArrayList<>();
    bus.subscribe(READING, got::add);

    Process process = new ProcessBuilder(mosquittoPub, "-h", MqttBroker.HOST, "-p", Integer.toString(MqttBroker.PORT),
        "-V", "mqttv5", "-q", "1", "-t", topic,
        "-D", "publish", "content-type", "application/json",
        "-D", "publish", "user-property", "specversion", "1.0",
        "-D", "publish", "user-property", "id", "cli-1",
        "-D", "publish", "user-property", "source", "/mosquitto-pub",
        "-D", "publish", "user-property", "type", "com.example.sensor.reading",
        "-m", "{\"sensor\":\"s-4\",\"celsius\":30.25}")
        .redirectErrorStream(true).start();
    assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isZero();

    Awaitility.await().atMost(WAIT).until(() -> !got.isEmpty());
    assertThat(got.get(0).id()).isEqualTo("cli-1");
    assertThat(got.get(0).dataContentType()).isEqualTo("application/json");
    assertThat(got.get(0).data()).isEqualTo(new Reading("s-4", 30.25));
  }

  @Test
  void mosquittoSubSeesTheUserPropertiesAndContentTypeTheBusWrites() throws Exception {
    String mosquittoSub = requireTool("mosquitto_sub");
    String topic = MqttBroker.uniqueTopic("interop-mosquitto-sub");
    Process process = new ProcessBuilder(mosquittoSub, "-h", MqttBroker.HOST, "-p",
        Integer.toString(MqttBroker.PORT), "-V", "mqttv5", "-q", "1", "-t", topic, "-C", "1", "-W", "60",
        "-F", "OUT|%C|%P|%p").redirectErrorStream(true).start();
    resources.add(process::destroy);
    EventBus bus = bus(topic, null);
    // mosquitto_sub says nothing when its subscription is in place (and buffers its output): publish until it got
    // one event and exited (-C 1), then check that event.
    Map<String, Event<Reading>> published = new java.util.concurrent.ConcurrentHashMap<>();
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
      Event<Reading> event = READING.event(new Reading("s-5", 1.5)).build();
      bus.publish(event).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      published.put(event.id(), event);
      return !process.isAlive();
    });
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
    String line = awaitLine(output, "OUT|");
    String[] fields = line.substring(line.indexOf("OUT|") + 4).split("\\|", 3);
    assertThat(fields[0]).isEqualTo("application/json");
    List<String> properties = List.of(fields[1].split(" "));
    String id = properties.stream().filter(p -> p.startsWith("id:")).findFirst().orElseThrow().substring(3);
    assertThat(published).containsKey(id);
    assertThat(properties).contains("source:/interop-test", "specversion:1.0", "type:com.example.sensor.reading");
    assertThat(fields[2]).contains("\"sensor\":\"s-5\"");
  }

  @Test
  void mqtt311ClientsExchangeStructuredJsonWithTheBus() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-311");
    EventBus bus = bus(topic, "3.1.1");
    List<Event<Reading>> got = new CopyOnWriteArrayList<>();
    bus.subscribe(READING, got::add);
    BlockingQueue<org.eclipse.paho.client.mqttv3.MqttMessage> seen = new LinkedBlockingQueue<>();
    org.eclipse.paho.client.mqttv3.MqttAsyncClient plain = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
        MqttBroker.uri(), "interop311-" + UUID.randomUUID(),
        new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    org.eclipse.paho.client.mqttv3.MqttConnectOptions options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    options.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
    plain.connect(options).waitForCompletion(WAIT.toMillis());
    resources.add(() -> {
      plain.disconnect().waitForCompletion(WAIT.toMillis());
      plain.close();
    });
    plain.subscribe(topic, 1, null, null, (t, message) -> seen.add(message)).waitForCompletion(WAIT.toMillis());

    // A plain 3.1.1 client writes the JSON event format; there is no content type to say so.
    String structured = "{\"specversion\":\"1.0\",\"id\":\"v3-1\",\"source\":\"/v3-client\","
        + "\"type\":\"com.example.sensor.reading\",\"datacontenttype\":\"application/json\","
        + "\"data\":{\"sensor\":\"s-6\",\"celsius\":12.0}}";
    plain.publish(topic, structured.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(WAIT.toMillis());
    Awaitility.await().atMost(WAIT).until(() -> !got.isEmpty());
    assertThat(got.get(0).id()).isEqualTo("v3-1");
    assertThat(got.get(0).data()).isEqualTo(new Reading("s-6", 12.0));

    // The bus writes the JSON event format too: the plain client sees its own message and then the bus's.
    Event<Reading> event = READING.event(new Reading("s-7", 8.0)).build();
    bus.publish(event).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    Awaitility.await().atMost(WAIT).until(() -> seen.size() >= 2);
    String written = seen.stream().map(m -> new String(m.getPayload(), StandardCharsets.UTF_8))
        .filter(text -> text.contains(event.id())).findFirst().orElseThrow();
    assertThat(written).contains("\"specversion\":\"1.0\"", "\"type\":\"com.example.sensor.reading\"",
        "\"source\":\"/interop-test\"", "\"sensor\":\"s-7\"");
  }

  private static String awaitLine(BufferedReader output, String marker) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    StringBuilder seen = new StringBuilder();
    while (System.nanoTime() < deadline) {
      String line = output.readLine();
      if (line == null) {
        break;
      }
      seen.append(line).append('\n');
      if (line.contains(marker)) {
        return line;
      }
    }
    throw new AssertionError("no line with '" + marker + "' from the tool; it wrote:\n" + seen);
  }

  private static final EventType<String> QUESTION = EventType.of("com.example.question", String.class)
      .channel("readings");
  private static final EventType<String> ANSWER = EventType.of("com.example.answer", String.class);

  @Test
  void aPlainRequesterWithResponseTopicAndCorrelationDataGetsTheReplyThere() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-rpc");
    String replies = MqttBroker.uniqueTopic("interop-rpc-replies");
    bus(topic, null).respond(QUESTION, "responders", ANSWER, request -> "re:" + request.data());
    BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
    MqttAsyncClient plain = plainClient(received);
    plain.subscribe(new MqttSubscription(replies, 1)).waitForCompletion(WAIT.toMillis());

    MqttMessage request = publishable("stock of sku-1?", "text/plain", Map.of("specversion", "1.0",
        "id", "plain-request-1", "source", "/plain", "type", QUESTION.type()));
    request.getProperties().setResponseTopic(replies);
    request.getProperties().setCorrelationData("plain-42".getBytes(StandardCharsets.UTF_8));
    plain.publish(topic, request).waitForCompletion(WAIT.toMillis());

    MqttMessage reply = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(reply).as("a reply on the response topic").isNotNull();
    assertThat(reply.getProperties().getCorrelationData()).asString(StandardCharsets.UTF_8).isEqualTo("plain-42");
    assertThat(userProperties(reply)).containsEntry("type", ANSWER.type()).containsEntry("correlationid", "plain-42");
    assertThat(new String(reply.getPayload(), StandardCharsets.UTF_8)).isEqualTo("re:stock of sku-1?");
  }

  @Test
  void aPlainResponderAnsweringWithOnlyCorrelationDataCompletesTheBussRequest() throws Exception {
    String topic = MqttBroker.uniqueTopic("interop-rpc");
    EventBus bus = bus(topic, null);
    BlockingQueue<MqttMessage> requests = new LinkedBlockingQueue<>();
    MqttAsyncClient plain = plainClient(requests);
    plain.subscribe(new MqttSubscription(topic, 1)).waitForCompletion(WAIT.toMillis());

    java.util.concurrent.CompletableFuture<Event<String>> reply = bus.request(QUESTION, "stock of sku-1?", ANSWER,
        WAIT).toCompletableFuture();
    MqttMessage request = requests.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(request).isNotNull();
    String responseTopic = request.getProperties().getResponseTopic();
    assertThat(responseTopic).startsWith("omnibus/replies/");
    MqttMessage answer = publishable("42 in stock", "text/plain", Map.of("specversion", "1.0",
        "id", "plain-reply-1", "source", "/plain", "type", ANSWER.type()));
    answer.getProperties().setCorrelationData(request.getProperties().getCorrelationData());
    plain.publish(responseTopic, answer).waitForCompletion(WAIT.toMillis());

    Event<String> got = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(got.data()).isEqualTo("42 in stock");
    assertThat(got.id()).isEqualTo("plain-reply-1");
  }

  /** The tool's path; the test is skipped without it, and fails with {@code CI=true} (the rule of {@link Brokers}). */
  private static String requireTool(String name) {
    return Brokers.requireTool(name, "mosquitto-clients");
  }
}
