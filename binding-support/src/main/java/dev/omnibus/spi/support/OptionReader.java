package dev.omnibus.spi.support;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code x-omnibus-*} options of a server ({@link ServerConfig#options()}) or a channel
 * ({@link Destination#options()}), keys without the prefix, with one convention for every binding:
 *
 * <ul>
 *   <li>keys are kebab-case: {@code confirm-window}, {@code max-held-sends};
 *   <li>a duration is named for what it bounds, never for its unit ({@code connect-timeout},
 *       {@code pattern-refresh-interval}), and its value carries the unit: {@code 500ms}, {@code 2s}, {@code 1.5s},
 *       {@code 5m}, {@code 1h}, {@code 1d}, or ISO-8601 {@code PT1S}. A bare number is refused (is {@code 10} ten
 *       seconds or ten milliseconds?), naming what to write;
 *   <li>booleans are {@code true} or {@code false}; a choice is one of the enum's constants in kebab-case
 *       ({@code PASSIVE} is written {@code passive}).
 * </ul>
 *
 * <p>A wrong value is a problem at {@code <path>.x-omnibus-<key>}, saying what to write; the getter returns the
 * default so that reading goes on, and {@link #check()} reports every problem together. A former spelling of a
 * duration ({@code connect-timeout-ms}, {@code connect-timeout-seconds}: a bare number in the unit its name ends with)
 * keeps working, with a WARN naming the key to write instead.
 *
 * <pre>{@code
 * OptionReader options = OptionReader.of(server);
 * int prefetch = options.integer("prefetch", 250, 1, 65_535);
 * Duration connect = options.duration("connect-timeout", Duration.ofSeconds(10), "connect-timeout-ms");
 * options.check(); // ConfigurationException listing every problem
 * }</pre>
 *
 * <p>Not thread-safe: read one server's or channel's options on one thread, then share the values.
 */
public final class OptionReader {

  private static final Logger LOG = LoggerFactory.getLogger(OptionReader.class);
  private static final Pattern KEBAB = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
  private static final Pattern AMOUNT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("\\d+");
  /** The longest duration an option may give: clients take timeouts as an {@code int} of milliseconds. */
  static final Duration MAX_DURATION = Duration.ofDays(24);
  private static final String DURATION_FORMS = "500ms, 2s, 1.5s, 5m, 1h or PT1S";

  private final String path;
  private final Map<String, String> options;
  private final List<ConfigurationException.Problem> problems = new ArrayList<>();
  private final List<String> deprecations = new ArrayList<>();

  private OptionReader(String path, Map<String, String> options) {
    this.path = path;
    this.options = Map.copyOf(options);
  }

  /**
   * Reads the given options.
   *
   * @param path where they are in the document, for problems: {@code servers.production}, {@code channels.orders}
   * @param options the options, keys without {@code x-omnibus-}
   */
  public static OptionReader of(String path, Map<String, String> options) {
    return new OptionReader(path, options);
  }

  /** Reads a server's options; problems are reported at {@code servers.<name>.x-omnibus-<key>}. */
  public static OptionReader of(ServerConfig server) {
    return of("servers." + server.name(), server.options());
  }

  /** Reads a channel's options; problems are reported at {@code channels.<channel>.x-omnibus-<key>}. */
  public static OptionReader of(Destination destination) {
    return of("channels." + destination.channel(), destination.options());
  }

  /** Where a key is reported: {@code <path>.x-omnibus-<key>}. */
  public String pathOf(String key) {
    return path + ".x-omnibus-" + key;
  }

  /** Whether the option is given. */
  public boolean has(String key) {
    return options.containsKey(key);
  }

  /** A text option as written, or the default. */
  public String string(String key, String defaultValue) {
    kebab(key);
    return options.getOrDefault(key, defaultValue);
  }

  /** {@code true} or {@code false}, in any case. */
  public boolean bool(String key, boolean defaultValue) {
    kebab(key);
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    String text = value.trim();
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(text);
    }
    problem(key, "'" + value + "' is not true or false; write true or false");
    return defaultValue;
  }

  /** A whole number from {@code min} to {@code max}. */
  public int integer(String key, int defaultValue, int min, int max) {
    kebab(key);
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(key, "'" + value + "' is not a whole number from " + min + " to " + max + "; write one, e.g. "
        + defaultValue);
    return defaultValue;
  }

  /**
   * A duration from 1 ms to 24 days, written with its unit ({@code 500ms}, {@code 2s}, {@code PT1S}).
   *
   * @param key the option, ending in {@code -timeout} or {@code -interval}
   * @param formerKeys former spellings of the option, each ending in {@code -ms} or {@code -seconds}, whose value is a
   *     bare number in that unit; read when {@code key} is absent, with a WARN naming {@code key}
   * @throws IllegalArgumentException (a mistake in the binding, not in the document) when a key breaks the convention
   */
  public Duration duration(String key, Duration defaultValue, String... formerKeys) {
    kebab(key);
    if (!key.endsWith("-timeout") && !key.endsWith("-interval")) {
      throw new IllegalArgumentException("a duration option is named for what it bounds, ending in -timeout or "
          + "-interval: " + key);
    }
    for (String former : formerKeys) {
      kebab(former);
      if (!former.endsWith("-ms") && !former.endsWith("-seconds")) {
        throw new IllegalArgumentException("a former duration option ends in -ms or -seconds: " + former);
      }
    }
    String value = options.get(key);
    if (value != null) {
      for (String former : formerKeys) {
        if (options.containsKey(former)) {
          deprecated(pathOf(former) + " is ignored: " + pathOf(key) + " is set; remove x-omnibus-" + former);
        }
      }
      return durationOf(key, value, null, defaultValue);
    }
    for (String former : formerKeys) {
      String old = options.get(former);
      if (old != null) {
        String unit = former.endsWith("-ms") ? "ms" : "s";
        deprecated(pathOf(former) + " is deprecated: write x-omnibus-" + key + ": " + old.trim()
            + (WHOLE.matcher(old.trim()).matches() ? unit : "") + " instead");
        return durationOf(former, old, unit, defaultValue);
      }
    }
    return defaultValue;
  }

  /** One of the enum's constants, written in kebab-case ({@code PASSIVE} as {@code passive}), in any case. */
  public <E extends Enum<E>> E choice(String key, E defaultValue) {
    return choice(key, defaultValue, Map.of());
  }

  /**
   * One of the enum's constants in kebab-case, or one of the aliases ({@code true} for {@code DECLARE}), in any case.
   */
  public <E extends Enum<E>> E choice(String key, E defaultValue, Map<String, E> aliases) {
    kebab(key);
    String value = options.get(key);
    if (value == null) {
      return defaultValue;
    }
    Map<String, E> names = new LinkedHashMap<>();
    for (E constant : defaultValue.getDeclaringClass().getEnumConstants()) {
      names.put(kebabName(constant), constant);
    }
    String text = value.trim().toLowerCase(Locale.ROOT);
    E chosen = names.get(text);
    if (chosen == null) {
      chosen = aliases.get(text);
    }
    if (chosen != null) {
      return chosen;
    }
    problem(key, "'" + value + "' is not one of " + String.join(", ", names.keySet()) + "; write one of them");
    return defaultValue;
  }

  /** The problems found so far, in the order found. */
  public List<ConfigurationException.Problem> problems() {
    return List.copyOf(problems);
  }

  /** The warnings about former spellings found so far (each also logged at WARN), in the order found. */
  public List<String> deprecations() {
    return List.copyOf(deprecations);
  }

  /**
   * Reports the problems found.
   *
   * @throws ConfigurationException listing every problem, when there is one
   */
  public void check() {
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
  }

  /** How a constant is written in an option: its name in lower case, {@code _} as {@code -}. */
  static String kebabName(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Reads a duration with its unit.
   *
   * @throws IllegalArgumentException saying what is wrong, when the text is not a duration
   */
  static Duration parseDuration(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("p")) {
      try {
        return Duration.parse(value.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 duration such as PT1S or PT0.5S", e);
      }
    }
    if (WHOLE.matcher(value).matches()) {
      throw new IllegalArgumentException("'" + text + "' has no unit; write " + value + "ms, or " + value
          + "s for seconds");
    }
    Matcher matcher = AMOUNT.matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; write it with a unit: "
          + DURATION_FORMS);
    }
    long unitNanos = switch (matcher.group(2)) {
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 86_400_000_000_000L;
    };
    try {
      return Duration.ofNanos(new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(unitNanos))
          .setScale(0, RoundingMode.HALF_UP).longValueExact());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is longer than 24 days", e);
    }
  }

  private Duration durationOf(String key, String value, @Nullable String bareUnit,
      Duration defaultValue) {
    String text = value.trim();
    Duration parsed;
    try {
      parsed = bareUnit != null && WHOLE.matcher(text).matches()
          ? parseDuration(text + bareUnit) : parseDuration(text);
    } catch (IllegalArgumentException e) {
      problem(key, e.getMessage());
      return defaultValue;
    }
    if (parsed.compareTo(Duration.ofMillis(1)) < 0 || parsed.compareTo(MAX_DURATION) > 0) {
      problem(key, "'" + value + "' is out of range; write a duration from 1ms to 24d");
      return defaultValue;
    }
    return parsed;
  }

  private void problem(String key, String message) {
    problems.add(new ConfigurationException.Problem(pathOf(key), message));
  }

  private void deprecated(String message) {
    deprecations.add(message);
    LOG.warn(message);
  }

  private static void kebab(String key) {
    if (!KEBAB.matcher(key).matches()) {
      throw new IllegalArgumentException("option keys are kebab-case (lower-case words joined by '-'): " + key);
    }
  }

  @Override
  public String toString() {
    return "OptionReader[" + path + ", keys=" + options.keySet().stream().sorted().collect(Collectors.joining(","))
        + "]";
  }
}
