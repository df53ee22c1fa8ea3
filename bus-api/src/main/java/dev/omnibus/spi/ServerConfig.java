package dev.omnibus.spi;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One resolved AsyncAPI server: variables substituted, security schemes and credentials attached, bindings as written
 * (the binding parses its own, see {@link Bindings}).
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows no secret: credentials hide theirs, and a host never
 * holds user info.
 *
 * @param name the server's name in the document
 * @param protocol the AsyncAPI protocol, lower case
 * @param protocolVersion the protocol version, or {@code null}
 * @param host host and optional port, as in a 3.0 {@code host} (from a 2.x {@code url}, the scheme dropped)
 * @param pathname the path after the host, starting with {@code /}, or {@code null} (RabbitMQ: the virtual host)
 * @param security the schemes the server accepts; any one suffices; empty when none is required
 * @param credentials the secrets given for this server
 * @param bindings the server bindings
 * @param options {@code x-omnibus-*} settings of the server, without the {@code x-omnibus-} prefix
 */
public record ServerConfig(
    String name,
    String protocol,
    @Nullable String protocolVersion,
    String host,
    @Nullable String pathname,
    List<SecurityScheme> security,
    Credentials credentials,
    Bindings bindings,
    Map<String, String> options) {

  /**
   * The option ({@code strict-bindings=true}) asking a binding to refuse a binding field it does not define, or one in
   * the wrong place, instead of logging a warning naming its path. Set from the document's
   * {@code x-omnibus-strict-bindings: true} by the reader and from {@code EventBus.builder().strictBindings(true)} by
   * the bus.
   */
  public static final String STRICT_BINDINGS = "strict-bindings";

  /**
   * Copies the collections.
   *
   * @throws IllegalArgumentException when the host holds user info ({@code user:password@host}); the message does not
   *     repeat the host, which may hold a password
   */
  public ServerConfig {
    if (host.indexOf('@') >= 0) {
      // The loader refuses such a document first, with a ConfigurationException naming its path; this guards servers
      // built in code. Not a ConfigurationException: the SPI does not depend on the API package.
      throw new IllegalArgumentException("server '" + name + "': its host holds user info (a user name or password"
          + " before '@'); give credentials with Credentials.of(user, password) instead, never in the host");
    }
    security = List.copyOf(security);
    options = Map.copyOf(options);
  }

  /** A server with only a name, a protocol and a host; for tests and programmatic buses. */
  public static ServerConfig of(String name, String protocol, String host) {
    return new ServerConfig(name, protocol, null, host, null, List.of(), Credentials.none(), Bindings.none(), Map.of());
  }

  /** This server with other credentials. */
  public ServerConfig withCredentials(Credentials credentials) {
    return new ServerConfig(name, protocol, protocolVersion, host, pathname, security, credentials, bindings, options);
  }

  /** This server with an {@code x-omnibus-} option added or replaced. */
  public ServerConfig withOption(String key, String value) {
    Map<String, String> copy = new HashMap<>(options);
    copy.put(key, value);
    return new ServerConfig(name, protocol, protocolVersion, host, pathname, security, credentials, bindings, copy);
  }

  /** This server with other bindings. */
  public ServerConfig withBindings(Bindings bindings) {
    return new ServerConfig(name, protocol, protocolVersion, host, pathname, security, credentials, bindings, options);
  }

  /** This server with another protocol version. */
  public ServerConfig withProtocolVersion(@Nullable String protocolVersion) {
    return new ServerConfig(name, protocol, protocolVersion, host, pathname, security, credentials, bindings, options);
  }

  /** This server with another path name. */
  public ServerConfig withPathname(@Nullable String pathname) {
    return new ServerConfig(name, protocol, protocolVersion, host, pathname, security, credentials, bindings, options);
  }

  /** This server with security schemes. */
  public ServerConfig withSecurity(List<SecurityScheme> security) {
    return new ServerConfig(name, protocol, protocolVersion, host, pathname, security, credentials, bindings, options);
  }

  /** The host name without the port. */
  public String hostName() {
    int colon = host.lastIndexOf(':');
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      return host.substring(1, close);
    }
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** The port, when the host names one. */
  public Optional<Integer> port() {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || host.endsWith("]")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Integer.parseInt(host.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** An {@code x-omnibus-} option, or the default. */
  public String option(String key, String defaultValue) {
    return options.getOrDefault(key, defaultValue);
  }

  /** Whether the {@link #STRICT_BINDINGS} option is {@code true}: unknown binding fields are refused, not warned of. */
  public boolean strictBindings() {
    return "true".equalsIgnoreCase(option(STRICT_BINDINGS, "false").trim());
  }
}
