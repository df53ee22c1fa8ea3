package dev.omnibus.asyncapi;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.SecurityScheme;
import dev.omnibus.spi.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one {@link ServerTemplate} into the {@link ServerConfig} a transport opens: picks the server, fills its
 * variables (explicit value, then {@code OMNIBUS_VAR_<NAME>}, then {@code default}; checked against {@code enum}),
 * and attaches credentials (explicit, then {@code OMNIBUS_<SERVER>_USERNAME} / {@code _PASSWORD}). Secrets are never
 * put in a message or a log line: only the names of the variables that hold them.
 */
public final class ServerResolver {

  private static final Logger LOG = LoggerFactory.getLogger(ServerResolver.class);
  private static final Pattern EXPRESSION = Pattern.compile("\\{([^{}]*)}");

  private ServerResolver() {}

  /**
   * Resolves the selected server of a document.
   *
   * @throws ConfigurationException with every problem found
   */
  public static ServerConfig resolve(ParsedDocument document, ServerSelection selection) {
    ServerTemplate server = document.servers().get(select(document, selection));
    Problems problems = new Problems();
    Set<String> used = new LinkedHashSet<>();
    String host = fill(server, server.host(), true, selection, problems, used);
    String pathname = server.pathname() == null ? null
        : fill(server, server.pathname(), false, selection, problems, used);
    String address = server.pathname() == null ? server.host() : server.host() + server.pathname();
    Credentials credentials = credentials(server, selection);
    if (!server.security().isEmpty() && needsUsernamePassword(server.security())
        && !credentials.hasUsernamePassword()) {
      List<String> types = server.security().stream().map(SecurityScheme::type).distinct().toList();
      problems.add(Paths.of(server.path(), "security"), "server '" + server.name() + "' authenticates with "
          + String.join(" or ", types) + ", which needs a user name and a password; set "
          + ServerSelection.usernameVariable(server.name()) + " and " + ServerSelection.passwordVariable(server.name())
          + ", or pass them with credentials(\"" + server.name() + "\", Credentials.of(user, password))"
          + (credentials.username() != null ? " (the user name is there, the password is missing)"
              : credentials.password() != null ? " (the password is there, the user name is missing)" : ""));
    }
    if (problems.isEmpty() && hasUserInfo(host)) {
      problems.add(Paths.of(server.path(), server.addressField()), userInfoMessage(server.name(), "its "
          + server.addressField() + " once its variables are filled"));
    }
    problems.throwIfAny();
    if (host.contains("{") || host.contains("}") || (pathname != null
        && (pathname.contains("{") || pathname.contains("}")))) {
      throw ConfigurationException.of(Paths.of(server.path(), server.addressField()), "'" + address
          + "' still holds a brace after its variables were filled; write variables as {name}");
    }
    ServerConfig config = withDocumentOptions(document, new ServerConfig(server.name(), server.protocol(),
        server.protocolVersion(), host, pathname, server.security(), credentials, server.bindings(),
        server.options()));
    LOG.info("Using AsyncAPI server '{}' of {}: {} at {}{}{}", server.name(), document.origin(), server.protocol(),
        host, pathname == null ? "" : pathname, credentials.hasUsernamePassword()
            ? " (user name and password from " + credentialSource(server, selection) + ")" : "");
    return config;
  }

  /**
   * A server with the document-wide settings a binding reads from the server's options: {@code x-omnibus-strict-bindings:
   * true} at the top of the document becomes {@link ServerConfig#STRICT_BINDINGS}, unless the server sets it itself.
   */
  static ServerConfig withDocumentOptions(ParsedDocument document, ServerConfig server) {
    if (document.strictBindings() && !server.options().containsKey(ServerConfig.STRICT_BINDINGS)) {
      return server.withOption(ServerConfig.STRICT_BINDINGS, "true");
    }
    return server;
  }

  /** The name of the server to use: explicit, else {@code OMNIBUS_SERVER}, else the only one. */
  static String select(ParsedDocument document, ServerSelection selection) {
    Set<String> names = document.servers().keySet();
    String name = selection.name();
    String source = "the selection";
    if (name == null) {
      name = blankToNull(selection.environment().apply(ServerSelection.serverVariable()));
      source = ServerSelection.serverVariable();
    }
    if (name != null) {
      if (!names.contains(name)) {
        throw ConfigurationException.of("servers", "there is no server '" + name + "' (named by " + source + ") in "
            + document.origin() + (names.isEmpty() ? ", which declares no servers" : "; its servers are "
            + String.join(", ", names)));
      }
      return name;
    }
    if (names.size() == 1) {
      return names.iterator().next();
    }
    if (names.isEmpty()) {
      throw ConfigurationException.of("servers", document.origin() + " declares no servers: add one under servers,"
          + " e.g. 'local: {host: localhost:9092, protocol: kafka}'");
    }
    throw ConfigurationException.of("servers", document.origin() + " declares several servers ("
        + String.join(", ", names) + "): choose one with server(name) or " + ServerSelection.serverVariable());
  }

  private static String fill(ServerTemplate server, String template, boolean inHost, ServerSelection selection,
      Problems problems, Set<String> used) {
    Matcher matcher = EXPRESSION.matcher(template);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1);
      used.add(name);
      String value = value(server, name, inHost, selection, problems);
      matcher.appendReplacement(out, Matcher.quoteReplacement(value == null ? matcher.group() : value));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  private static @Nullable String value(ServerTemplate server, String name, boolean inHost,
      ServerSelection selection, Problems problems) {
    String path = Paths.of(Paths.of(server.path(), "variables"), name);
    ServerTemplate.Variable declared = server.variables().get(name);
    String envName = ServerSelection.variableVariable(name);
    String value = selection.variables().get(name);
    String source = "the value given for it";
    if (value == null) {
      value = blankToNull(selection.environment().apply(envName));
      source = envName;
    }
    if (value == null && declared != null) {
      value = declared.defaultValue();
      source = "its default";
    }
    if (value == null) {
      problems.add(path, "server '" + server.name() + "' needs a value for {" + name + "} in its "
          + server.addressField() + (declared == null ? ", which does not declare it under variables" : ", which"
          + " has no default") + "; set " + envName + " or pass variable(\"" + name + "\", value)"
          + (declared != null && !declared.enumValues().isEmpty() ? " (one of " + declared.enumValues() + ")" : ""));
      return null;
    }
    if (inHost && hasUserInfo(value)) {
      problems.add(path, userInfoMessage(server.name(), "the value of {" + name + "} (from " + source + ")"));
      return null;
    }
    if (declared != null && !declared.enumValues().isEmpty() && !declared.enumValues().contains(value)) {
      problems.add(path, "'" + value + "' (from " + source + ") is not an allowed value of {" + name + "} for server '"
          + server.name() + "'; use one of " + declared.enumValues());
      return null;
    }
    return value;
  }

  /** Whether a host (scheme and path already split off) holds user info, {@code user:password@host}. */
  static boolean hasUserInfo(String host) {
    return host.indexOf('@') >= 0;
  }

  /**
   * The message for a server address that holds user info; it never repeats the address, which may hold a password.
   *
   * @param where what holds it, e.g. {@code its url}
   */
  static String userInfoMessage(String serverName, String where) {
    return "server '" + serverName + "': " + where + " holds user info (a user name or password before '@'), which"
        + " Omnibus never reads from an address, so that no secret is printed or logged; remove it from the"
        + " address and give the credentials with EventBus.builder().credentials(\"" + serverName + "\","
        + " Credentials.of(user, password)) or the environment variables "
        + ServerSelection.usernameVariable(serverName) + " and " + ServerSelection.passwordVariable(serverName);
  }

  private static boolean needsUsernamePassword(List<SecurityScheme> schemes) {
    for (SecurityScheme scheme : schemes) {
      if (!SecurityParser.USERNAME_PASSWORD.contains(scheme.type())) {
        return false; // another scheme is acceptable too: the transport decides
      }
    }
    return true;
  }

  private static Credentials credentials(ServerTemplate server, ServerSelection selection) {
    Credentials given = selection.credentials().getOrDefault(server.name(), Credentials.none());
    String username = given.username() != null ? given.username()
        : blankToNull(selection.environment().apply(ServerSelection.usernameVariable(server.name())));
    String password = given.password() != null ? given.password()
        : blankToNull(selection.environment().apply(ServerSelection.passwordVariable(server.name())));
    if (username == null && password == null && given.other().isEmpty()) {
      return Credentials.none();
    }
    return new Credentials(username, password, given.other());
  }

  private static String credentialSource(ServerTemplate server, ServerSelection selection) {
    Credentials given = selection.credentials().get(server.name());
    List<String> sources = new ArrayList<>();
    if (given != null && (given.username() != null || given.password() != null)) {
      sources.add("the builder");
    }
    if (given == null || given.username() == null || given.password() == null) {
      sources.add("the environment (" + ServerSelection.usernameVariable(server.name()) + ", "
          + ServerSelection.passwordVariable(server.name()) + ")");
    }
    return String.join(" and ", sources);
  }

  private static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
