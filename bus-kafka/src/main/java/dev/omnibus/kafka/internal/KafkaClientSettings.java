package dev.omnibus.kafka.internal;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SecurityScheme;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.support.OptionReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jspecify.annotations.Nullable;

/**
 * The Kafka client properties for one server, built once from its AsyncAPI settings.
 *
 * <p>Option scheme ({@code x-omnibus-} prefix already removed by the loader):
 *
 * <ul>
 *   <li>{@code kafka.<property>}: a Kafka client property, given to every client (producer, consumer, admin) that
 *       knows it; a property no client knows is a configuration error (typos do not pass silently).
 *   <li>{@code kafka.producer.<property>}, {@code kafka.consumer.<property>}, {@code kafka.admin.<property>}: given
 *       to that client only, unchecked (for interceptors' or plugins' own properties).
 *   <li>{@code kafka-<name>}: Omnibus behaviour, see {@link #fromServer}.
 * </ul>
 *
 * <p>Immutable and thread-safe. Secrets live only in the property maps handed to the clients (Kafka masks them as
 * passwords when it logs its configuration); {@link #toString()} shows none.
 */
final class KafkaClientSettings {

  static final String CLIENT_PREFIX = "kafka.";
  static final String PRODUCER_PREFIX = "kafka.producer.";
  static final String CONSUMER_PREFIX = "kafka.consumer.";
  static final String ADMIN_PREFIX = "kafka.admin.";
  static final String CREATE_TOPICS = "kafka-create-topics";
  static final String MAX_MESSAGE_BYTES = "kafka-max-message-bytes";
  static final String SUBSCRIBE_TIMEOUT = "kafka-subscribe-timeout";
  static final String CLOSE_TIMEOUT = "kafka-close-timeout";
  static final String PATTERN_REFRESH = "kafka-pattern-refresh-interval";

  static final int DEFAULT_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;
  /** How long a send may be retried before its publish fails: two minutes, well beyond a leader's failover. */
  static final int DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;
  /** Room for the record batch framing, key and headers above the largest message. */
  private static final int FRAMING_BYTES = 64 * 1024;
  private static final int DEFAULT_PORT = 9092;

  /** Properties Omnibus must own: the binding's byte mapping and offset management rely on them. */
  private static final Set<String> RESERVED = Set.of(
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, ConsumerConfig.GROUP_ID_CONFIG);

  private static final Set<String> SECRET_NAMES = Set.of(
      SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG,
      SslConfigs.SSL_KEY_PASSWORD_CONFIG, SslConfigs.SSL_KEYSTORE_KEY_CONFIG,
      SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG, SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG,
      SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG,
      SaslConfigs.SASL_JAAS_CONFIG);

  private final String serverName;
  private final Map<String, Object> producer;
  private final Map<String, Object> consumer;
  private final Map<String, Object> admin;
  private final boolean createTopics;
  private final int maxMessageBytes;
  private final int wireMessageBytes;
  private final Duration subscribeTimeout;
  private final Duration closeTimeout;
  private final int patternRefreshMs;
  private final String acks;

  private KafkaClientSettings(String serverName, Map<String, Object> producer, Map<String, Object> consumer,
      Map<String, Object> admin, boolean createTopics, int maxMessageBytes, Duration subscribeTimeout,
      Duration closeTimeout, int patternRefreshMs) {
    this.serverName = serverName;
    this.producer = Map.copyOf(producer);
    this.consumer = Map.copyOf(consumer);
    this.admin = Map.copyOf(admin);
    this.createTopics = createTopics;
    this.maxMessageBytes = maxMessageBytes;
    this.wireMessageBytes = wireBytes(maxMessageBytes);
    this.subscribeTimeout = subscribeTimeout;
    this.closeTimeout = closeTimeout;
    this.patternRefreshMs = patternRefreshMs;
    this.acks = String.valueOf(this.producer.get(ProducerConfig.ACKS_CONFIG));
  }

  /**
   * Reads a server's settings. Omnibus options: {@code kafka-create-topics} (default {@code true}: create a missing
   * topic with the channel's binding), {@code kafka-max-message-bytes} (default 2 MiB: the largest message, body and
   * headers, promised to the bus; producer {@code max.request.size} and created topics' {@code max.message.bytes} get
   * 64 KiB more for framing),
   * {@code kafka-subscribe-timeout} (default {@code 30s}: how long {@code subscribe} waits for its partitions),
   * {@code kafka-close-timeout} (default {@code 10s}) and {@code kafka-pattern-refresh-interval} (default {@code 1s}:
   * how soon a wildcard subscription sees a new topic); durations carry their unit, and the former {@code -ms}
   * spellings still work with a warning.
   *
   * @throws ConfigurationException with every problem found
   */
  static KafkaClientSettings fromServer(ServerConfig server) {
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    String path = "servers." + server.name();
    Map<String, Object> common = new HashMap<>();
    common.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(server.host(), path, problems));
    security(server, path, common, problems);

    OptionReader options = OptionReader.of(server);
    int maxMessageBytes = options.integer(MAX_MESSAGE_BYTES, DEFAULT_MAX_MESSAGE_BYTES, 1, Integer.MAX_VALUE);
    Map<String, Object> producer = new HashMap<>(common);
    producer.put(ProducerConfig.ACKS_CONFIG, "all");
    producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Through a partition leader's failover (a crashed broker is fenced after the controller's session timeout, 9 s
    // by default) a send is retried on the new leader, without duplicates or reordering (idempotence, at most 5 in
    // flight), until the delivery timeout: Kafka's defaults, written out so that they are seen and kept.
    producer.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, DEFAULT_DELIVERY_TIMEOUT_MS);
    producer.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    producer.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
    producer.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, wireBytes(maxMessageBytes));
    // send() must not block a caller for a minute when the cluster is away: fail it instead.
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    producer.put(ProducerConfig.CLIENT_ID_CONFIG, "omnibus-" + server.name() + "-producer");

    Map<String, Object> consumer = new HashMap<>(common);
    consumer.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    // Members learn of a rebalance from their heartbeat: Kafka's 3 s makes every join to a busy group slow.
    consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);

    Map<String, Object> admin = new HashMap<>(common);
    admin.put(AdminClientConfig.CLIENT_ID_CONFIG, "omnibus-" + server.name() + "-admin");

    applyClientOptions(server.options(), path + ".x-omnibus-", producer, consumer, admin, problems);

    producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);

    boolean createTopics = options.bool(CREATE_TOPICS, true);
    Duration subscribeTimeout =
        options.duration(SUBSCRIBE_TIMEOUT, Duration.ofSeconds(30), "kafka-subscribe-timeout-ms");
    Duration closeTimeout = options.duration(CLOSE_TIMEOUT, Duration.ofSeconds(10), "kafka-close-timeout-ms");
    Duration patternRefresh = options.duration(PATTERN_REFRESH, Duration.ofSeconds(1), "kafka-pattern-refresh-ms");
    problems.addAll(options.problems());
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
    return new KafkaClientSettings(server.name(), producer, consumer, admin, createTopics, maxMessageBytes,
        subscribeTimeout, closeTimeout, (int) patternRefresh.toMillis());
  }

  private static int wireBytes(int maxMessageBytes) {
    return (int) Math.min(Integer.MAX_VALUE, (long) maxMessageBytes + FRAMING_BYTES);
  }

  /** The producer's properties. */
  Map<String, Object> producer() {
    return producer;
  }

  /** The admin client's properties. */
  Map<String, Object> admin() {
    return admin;
  }

  /**
   * A consumer's properties for one subscription: the server's, then the destination's own {@code kafka.*} options,
   * then what the subscription decides (group, client id, where to start, prefetch).
   *
   * @throws ConfigurationException when the destination's options are wrong
   */
  Map<String, Object> consumer(Destination destination, String groupId, boolean anonymous,
      @Nullable String clientId, int prefetch, boolean pattern) {
    Map<String, Object> properties = new HashMap<>(consumer);
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    Map<String, Object> ignoredProducer = new HashMap<>();
    Map<String, Object> ignoredAdmin = new HashMap<>();
    Map<String, Object> destinationConsumer = new HashMap<>();
    applyClientOptions(destination.options(), "channels." + destination.channel() + ".x-omnibus-",
        ignoredProducer, destinationConsumer, ignoredAdmin, problems);
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
    properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, anonymous ? "latest" : "earliest");
    if (prefetch > 0) {
      properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, prefetch);
    }
    if (pattern) {
      // A wildcard subscription learns of new topics from metadata refreshes; Kafka's 5 minutes is too slow.
      properties.putIfAbsent(ConsumerConfig.METADATA_MAX_AGE_CONFIG, patternRefreshMs);
    }
    properties.putAll(destinationConsumer);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    if (clientId != null) {
      properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    }
    return properties;
  }

  /**
   * Whether the destination sets consumer properties of its own ({@code channels.<id>.x-omnibus-kafka...}): such a
   * subscription gets a consumer of its own, since a shared consumer has one set of properties.
   */
  boolean hasConsumerOptions(Destination destination) {
    Map<String, Object> destinationConsumer = new HashMap<>();
    applyClientOptions(destination.options(), "channels." + destination.channel() + ".x-omnibus-", new HashMap<>(),
        destinationConsumer, new HashMap<>(), new ArrayList<>());
    return !destinationConsumer.isEmpty();
  }

  /**
   * The properties of a consumer without a group shared by anonymous subscriptions: the server's, {@code latest},
   * no {@code group.id} (it assigns partitions itself and commits nothing).
   */
  Map<String, Object> sharedAnonymousConsumer(String clientId) {
    Map<String, Object> properties = new HashMap<>(consumer);
    properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return properties;
  }

  /**
   * The properties of the consumer shared by a group's subscriptions of one transport: the server's, the group,
   * {@code earliest} unless the server says otherwise (as for a consumer of its own).
   */
  Map<String, Object> sharedGroupConsumer(String groupId, String clientId) {
    Map<String, Object> properties = new HashMap<>(consumer);
    properties.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    if (createTopics) {
      // Subscribe no longer waits for the topic's creation: the consumer's metadata request must not beat it to the
      // broker and have the topic auto-created with the broker's defaults (a smaller max.message.bytes).
      properties.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    }
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    return properties;
  }

  String serverName() {
    return serverName;
  }

  boolean createTopics() {
    return createTopics;
  }

  /** The largest message (body and headers) promised to the bus. */
  int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** The {@code max.message.bytes} given to topics this binding creates. */
  int wireMessageBytes() {
    return wireMessageBytes;
  }

  Duration subscribeTimeout() {
    return subscribeTimeout;
  }

  Duration closeTimeout() {
    return closeTimeout;
  }

  /** The producer's {@code acks}, for the capabilities' description of a completed send. */
  String acks() {
    return acks;
  }

  @Override
  public String toString() {
    return "KafkaClientSettings[server=" + serverName + ", bootstrap="
        + producer.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) + ", security="
        + producer.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT") + "]";
  }

  static String bootstrapServers(String host, String path, List<ConfigurationException.Problem> problems) {
    List<String> servers = new ArrayList<>();
    for (String part : host.split(",")) {
      String server = part.trim();
      if (server.isEmpty()) {
        continue;
      }
      int scheme = server.indexOf("://");
      if (scheme >= 0) {
        server = server.substring(scheme + 3);
      }
      boolean bracketed = server.startsWith("[");
      boolean hasPort = bracketed ? server.matches("\\[.*]:\\d+") : server.matches("[^:]+:\\d+");
      if (!hasPort && !bracketed && server.indexOf(':') >= 0) {
        problems.add(new ConfigurationException.Problem(path + ".host",
            "'" + server + "' is not host:port; write IPv6 addresses in brackets, e.g. [::1]:9092"));
        continue;
      }
      servers.add(hasPort ? server : server + ":" + DEFAULT_PORT);
    }
    if (servers.isEmpty()) {
      problems.add(new ConfigurationException.Problem(path + ".host",
          "no bootstrap server: give host:port, or several separated by commas"));
    }
    return String.join(",", servers);
  }

  private static void security(ServerConfig server, String path, Map<String, Object> common,
      List<ConfigurationException.Problem> problems) {
    boolean tls = server.protocol().equals("kafka-secure");
    String mechanism = null;
    SecurityScheme chosen = null;
    for (SecurityScheme scheme : server.security()) {
      String candidate = saslMechanism(scheme.type());
      if (candidate != null || scheme.type().equalsIgnoreCase("X509")) {
        chosen = scheme;
        mechanism = candidate;
        break;
      }
    }
    if (!server.security().isEmpty() && chosen == null) {
      List<String> types = server.security().stream().map(SecurityScheme::type).toList();
      problems.add(new ConfigurationException.Problem(path + ".security",
          "none of the security schemes " + types + " is supported by the Kafka binding; use one of plain, "
              + "userPassword, scramSha256, scramSha512, gssapi or X509"));
      return;
    }
    Map<String, String> options = server.options();
    String envPrefix = "OMNIBUS_" + server.name().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    if (chosen != null && mechanism == null) {
      tls = true; // X509: mutual TLS; the client's key comes from the keystore settings
      if (!hasAny(server, options, SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, SslConfigs.SSL_KEYSTORE_KEY_CONFIG)) {
        problems.add(new ConfigurationException.Problem(path + ".security",
            "scheme '" + chosen.name() + "' (X509) needs a client certificate: set x-omnibus-kafka."
                + SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG + " and the credential "
                + SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG + " (" + envPrefix + "_SSL_KEYSTORE_PASSWORD or the builder)"));
      }
    }
    if (mechanism != null) {
      common.put(SaslConfigs.SASL_MECHANISM, mechanism);
      boolean ownJaas = options.containsKey(CLIENT_PREFIX + SaslConfigs.SASL_JAAS_CONFIG)
          || server.credentials().other(SaslConfigs.SASL_JAAS_CONFIG).isPresent();
      if (!ownJaas && !mechanism.equals("GSSAPI")) {
        if (!server.credentials().hasUsernamePassword()) {
          problems.add(new ConfigurationException.Problem(path + ".security",
              "scheme '" + chosen.name() + "' (" + chosen.type() + ") needs a user name and a password: set "
                  + envPrefix + "_USERNAME and " + envPrefix + "_PASSWORD, or give them to the builder"));
        } else {
          common.put(SaslConfigs.SASL_JAAS_CONFIG, jaas(mechanism, server.credentials().username(),
              server.credentials().password()));
        }
      }
    }
    common.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
        mechanism != null ? (tls ? "SASL_SSL" : "SASL_PLAINTEXT") : (tls ? "SSL" : "PLAINTEXT"));
    for (Map.Entry<String, String> secret : server.credentials().other().entrySet()) {
      String name = secret.getKey().startsWith("ssl.") || secret.getKey().startsWith("sasl.")
          ? secret.getKey() : "ssl." + secret.getKey();
      if (SECRET_NAMES.contains(name) || name.startsWith("sasl.")) {
        common.put(name, secret.getValue());
      }
    }
  }

  private static boolean hasAny(ServerConfig server, Map<String, String> options, String... properties) {
    for (String property : properties) {
      if (options.containsKey(CLIENT_PREFIX + property) || server.credentials().other(property).isPresent()
          || server.credentials().other(property.substring("ssl.".length())).isPresent()) {
        return true;
      }
    }
    return false;
  }

  private static @Nullable String saslMechanism(String schemeType) {
    return switch (schemeType) {
      case "plain", "userPassword" -> "PLAIN";
      case "scramSha256" -> "SCRAM-SHA-256";
      case "scramSha512" -> "SCRAM-SHA-512";
      case "gssapi" -> "GSSAPI";
      default -> null;
    };
  }

  private static String jaas(String mechanism, @Nullable String username, @Nullable String password) {
    String module = mechanism.equals("PLAIN")
        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    return module + " required username=\"" + jaasQuote(username) + "\" password=\"" + jaasQuote(password) + "\";";
  }

  private static String jaasQuote(@Nullable String value) {
    return value == null ? "" : value.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  private static void applyClientOptions(Map<String, String> options, String path, Map<String, Object> producer,
      Map<String, Object> consumer, Map<String, Object> admin, List<ConfigurationException.Problem> problems) {
    for (Map.Entry<String, String> option : options.entrySet()) {
      String key = option.getKey();
      String value = option.getValue();
      if (key.startsWith(PRODUCER_PREFIX)) {
        put(producer, key.substring(PRODUCER_PREFIX.length()), value, path + key, problems);
      } else if (key.startsWith(CONSUMER_PREFIX)) {
        put(consumer, key.substring(CONSUMER_PREFIX.length()), value, path + key, problems);
      } else if (key.startsWith(ADMIN_PREFIX)) {
        put(admin, key.substring(ADMIN_PREFIX.length()), value, path + key, problems);
      } else if (key.startsWith(CLIENT_PREFIX)) {
        String property = key.substring(CLIENT_PREFIX.length());
        boolean known = false;
        if (ProducerConfig.configNames().contains(property)) {
          put(producer, property, value, path + key, problems);
          known = true;
        }
        if (ConsumerConfig.configNames().contains(property)) {
          put(consumer, property, value, path + key, problems);
          known = true;
        }
        if (AdminClientConfig.configNames().contains(property)) {
          put(admin, property, value, path + key, problems);
          known = true;
        }
        if (!known) {
          problems.add(new ConfigurationException.Problem(path + key, "'" + property + "' is not a Kafka producer, "
              + "consumer or admin property; use x-omnibus-kafka.producer." + property
              + " (or .consumer., .admin.) to pass a plugin's own property"));
        }
      }
    }
  }

  private static void put(Map<String, Object> properties, String property, String value, String path,
      List<ConfigurationException.Problem> problems) {
    if (RESERVED.contains(property)) {
      problems.add(new ConfigurationException.Problem(path, "'" + property + "' is set by Omnibus and cannot be "
          + "changed" + (property.equals(ConsumerConfig.GROUP_ID_CONFIG)
              ? ": give the group to subscribe() or in the receive operation's Kafka binding groupId" : "")));
      return;
    }
    properties.put(property, value);
  }
}
