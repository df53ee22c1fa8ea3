package dev.omnibus.rabbitmq.internal;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.SecurityScheme;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.support.OptionReader;
import dev.omnibus.spi.support.PublishWindow;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything the RabbitMQ binding reads from one resolved AsyncAPI server, validated once. Immutable and thread-safe;
 * {@link #toString()} shows no secret.
 *
 * @param server the server's name in the document, for messages
 * @param host the host name
 * @param port the port: the one in {@code host}, else 5672 ({@code amqp}) or 5671 ({@code amqps})
 * @param virtualHost the virtual host, from {@code pathname} as the AMQP URI scheme reads a path
 * @param tls whether to connect with TLS ({@code amqps})
 * @param username the user name to log in with
 * @param password the password to log in with
 * @param exchange the exchange used when a channel declares none ({@code x-omnibus-exchange})
 * @param declareMode what to declare on the broker ({@code x-omnibus-declare})
 * @param mandatory whether sends are mandatory unless the operation binding says otherwise ({@code x-omnibus-mandatory})
 * @param prefetch the default prefetch of a subscription ({@code x-omnibus-prefetch})
 * @param confirmWindow how many sends may await their confirm at once ({@code x-omnibus-confirm-window})
 * @param confirmTimeout how long a send waits for its confirm ({@code x-omnibus-confirm-timeout}, formerly
 *     {@code -timeout-ms})
 * @param connectTimeout how long connecting may take ({@code x-omnibus-connect-timeout}, formerly
 *     {@code -timeout-ms})
 * @param held how many sends may be held while the confirm window is full or the connection is down or recovering
 *     ({@code x-omnibus-max-held-sends}), and for how long before they fail ({@code x-omnibus-send-hold-timeout},
 *     formerly {@code x-omnibus-recovery-hold-ms})
 * @param addresses every node to connect to, {@code host:port}: the server's own host first, then those of
 *     {@code x-omnibus-addresses} (the other nodes of a cluster); amqp-client tries them in random order on connecting
 *     and on every recovery
 * @param queues the type of the durable queues of channels that say none ({@code x-omnibus-queue-type}) and the
 *     delivery limit of quorum queues ({@code x-omnibus-delivery-limit})
 */
public record RabbitMqSettings(
    String server,
    String host,
    int port,
    String virtualHost,
    boolean tls,
    String username,
    String password,
    String exchange,
    DeclareMode declareMode,
    boolean mandatory,
    int prefetch,
    int confirmWindow,
    Duration confirmTimeout,
    Duration connectTimeout,
    PublishWindow.Limits held,
    List<String> addresses,
    QueuePolicy queues) {

  /** Copies the addresses; the values are otherwise checked by {@link #from}. */
  public RabbitMqSettings {
    addresses = List.copyOf(addresses);
  }

  /** The exchange used when neither the channel binding nor {@code x-omnibus-exchange} names one. */
  public static final String DEFAULT_EXCHANGE = "omnibus";

  /** The prefetch of a subscription when neither the subscription nor {@code x-omnibus-prefetch} sets one. */
  public static final int DEFAULT_PREFETCH = 250;

  /** What the binding declares on the broker. */
  public enum DeclareMode {
    /** Declare exchanges, queues and bindings, idempotently. The default. */
    DECLARE,
    /** Declare nothing; check that exchanges and queues exist, and fail clearly naming what is missing. */
    PASSIVE,
    /** Declare and check nothing: the broker's own error is reported when something is missing. */
    NONE
  }

  /**
   * Reads and validates a server. Every problem is reported in one {@link ConfigurationException}, each with its path
   * in the document.
   */
  public static RabbitMqSettings from(ServerConfig config) {
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    String base = "servers." + config.name();
    boolean tls;
    switch (config.protocol()) {
      case "amqp" -> tls = false;
      case "amqps" -> tls = true;
      default -> {
        problems.add(new ConfigurationException.Problem(base + ".protocol",
            "protocol '" + config.protocol() + "' is not served by the RabbitMQ binding: use amqp or amqps"));
        tls = false;
      }
    }
    if (config.protocolVersion() != null && !config.protocolVersion().startsWith("0.9.1")
        && !config.protocolVersion().startsWith("0-9-1")) {
      problems.add(new ConfigurationException.Problem(base + ".protocolVersion", "protocol version '"
          + config.protocolVersion() + "' is not supported: the RabbitMQ binding speaks AMQP 0.9.1 only"));
    }
    String host = config.hostName();
    if (host.isBlank()) {
      problems.add(new ConfigurationException.Problem(base + ".host", "the host is empty"));
    }
    int port = config.port().orElse(tls ? 5671 : 5672);
    if (port < 1 || port > 65535) {
      problems.add(new ConfigurationException.Problem(base + ".host", "port " + port + " is out of range"));
    }
    String virtualHost = virtualHost(config.pathname(), base, problems);

    String username = "guest";
    String password = "guest";
    Credentials credentials = config.credentials();
    if (!config.security().isEmpty()) {
      SecurityScheme scheme = supportedScheme(config.security());
      if (scheme == null) {
        problems.add(new ConfigurationException.Problem(base + ".security", "none of the security schemes "
            + schemeTypes(config.security()) + " is supported by the RabbitMQ binding: declare a userPassword scheme"));
      } else if (!credentials.hasUsernamePassword()) {
        String env = "OMNIBUS_" + config.name().toUpperCase(Locale.ROOT).replace('-', '_');
        problems.add(new ConfigurationException.Problem(base + ".security", "security scheme '" + scheme.name()
            + "' (" + scheme.type() + ") needs a user name and a password: give them to the builder or set "
            + env + "_USERNAME and " + env + "_PASSWORD"));
      } else {
        username = credentials.username();
        password = credentials.password();
      }
    } else if (credentials.hasUsernamePassword()) {
      username = credentials.username();
      password = credentials.password();
    }

    OptionReader options = OptionReader.of(config);
    String exchange = options.string("exchange", DEFAULT_EXCHANGE);
    if (exchange.isEmpty() || exchange.length() > 255 || exchange.startsWith("amq.")) {
      problems.add(new ConfigurationException.Problem(options.pathOf("exchange"), "exchange name '" + exchange
          + "' is not usable: give 1 to 255 characters, not starting with the reserved 'amq.'"));
    }
    DeclareMode declareMode = options.choice("declare", DeclareMode.DECLARE,
        Map.of("true", DeclareMode.DECLARE, "false", DeclareMode.NONE));
    boolean mandatory = options.bool("mandatory", false);
    int prefetch = options.integer("prefetch", DEFAULT_PREFETCH, 1, 65535);
    int confirmWindow = options.integer("confirm-window", 1000, 1, Integer.MAX_VALUE);
    Duration confirmTimeout = options.duration("confirm-timeout", Duration.ofSeconds(30), "confirm-timeout-ms");
    Duration connectTimeout = options.duration("connect-timeout", Duration.ofSeconds(10), "connect-timeout-ms");
    PublishWindow.Limits held = PublishWindow.Limits.read(options, "recovery-hold-ms");
    List<String> addresses = addresses(host, port, options, problems);
    QueuePolicy queues = QueuePolicy.read(options, QueuePolicy.DEFAULT);
    problems.addAll(options.problems());
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
    return new RabbitMqSettings(config.name(), host, port, virtualHost, tls, username, password, exchange, declareMode,
        mandatory, prefetch, confirmWindow, confirmTimeout, connectTimeout, held, addresses, queues);
  }

  /**
   * The server's {@code host:port}, then every further node of {@code x-omnibus-addresses} (comma-separated
   * {@code host[:port]}, the server's port when none is given), without repeats.
   */
  private static List<String> addresses(String host, int port, OptionReader options,
      List<ConfigurationException.Problem> problems) {
    List<String> addresses = new ArrayList<>();
    addresses.add(host + ":" + port);
    String extra = options.string("addresses", "");
    for (String item : extra.split(",")) {
      String address = item.trim();
      if (address.isEmpty()) {
        continue;
      }
      int colon = address.lastIndexOf(':');
      String name = colon < 0 ? address : address.substring(0, colon);
      int itsPort = port;
      if (colon >= 0) {
        try {
          itsPort = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
          itsPort = -1;
        }
      }
      if (name.isBlank() || itsPort < 1 || itsPort > 65535) {
        problems.add(new ConfigurationException.Problem(options.pathOf("addresses"), "'" + address + "' is not host or host:port; write the nodes of the cluster as "
            + "rabbit-1:5672,rabbit-2:5672"));
        continue;
      }
      if (!addresses.contains(name + ":" + itsPort)) {
        addresses.add(name + ":" + itsPort);
      }
    }
    return addresses;
  }

  /**
   * The virtual host of a {@code pathname}, read as the AMQP URI specification reads the path of {@code amqp://host/vh}:
   * the leading {@code /} is a separator, the rest is percent-decoded. So {@code /production} is the virtual host
   * {@code production}, {@code /%2Fstaging} is {@code /staging}, and an absent or bare {@code /} pathname is the
   * default virtual host {@code /} (an empty virtual host name is never useful).
   */
  static String virtualHost(@Nullable String pathname, String base, List<ConfigurationException.Problem> problems) {
    if (pathname == null || pathname.isEmpty() || pathname.equals("/")) {
      return "/";
    }
    String path = pathname.startsWith("/") ? pathname.substring(1) : pathname;
    if (path.indexOf('/') >= 0) {
      problems.add(new ConfigurationException.Problem(base + ".pathname", "pathname '" + pathname
          + "' has more than one segment; a RabbitMQ virtual host is one segment (write a '/' inside it as %2F)"));
      return "/";
    }
    try {
      return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigurationException.Problem(base + ".pathname",
          "pathname '" + pathname + "' is not valid percent-encoding"));
      return "/";
    }
  }

  private static @Nullable SecurityScheme supportedScheme(List<SecurityScheme> schemes) {
    for (SecurityScheme scheme : schemes) {
      // AMQP 0-9-1 authenticates with SASL PLAIN: AsyncAPI's userPassword, or its SASL name plain.
      if (scheme.type().equals("userPassword") || scheme.type().equals("plain")) {
        return scheme;
      }
    }
    return null;
  }

  private static String schemeTypes(List<SecurityScheme> schemes) {
    return schemes.stream().map(SecurityScheme::type).toList().toString();
  }

  @Override
  public String toString() {
    return "RabbitMqSettings[server=" + server + ", " + (tls ? "amqps://" : "amqp://") + host + ":" + port
        + ", vhost=" + virtualHost + ", user=" + username + ", exchange=" + exchange + ", declare=" + declareMode
        + ", mandatory=" + mandatory + ", prefetch=" + prefetch + ", confirmWindow=" + confirmWindow
        + ", maxHeldSends=" + held.maxHeld() + ", sendHoldTimeout=" + held.hold().toMillis() + "ms, addresses="
        + addresses + ", queues=" + queues + "]";
  }
}
