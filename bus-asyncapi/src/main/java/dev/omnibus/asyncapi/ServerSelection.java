package dev.omnibus.asyncapi;

import dev.omnibus.spi.Credentials;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Which server of a document to use, and what the document cannot say: values for its variables and the secrets
 * to authenticate with. Whatever is not given here is read from the {@link #environment()}:
 *
 * <ul>
 *   <li>the server: {@code OMNIBUS_SERVER}, else the document's only server;
 *   <li>a variable {@code port}: {@code OMNIBUS_VAR_PORT} (upper-cased, every character other than a letter or a
 *       digit turned into {@code _}), else its {@code default};
 *   <li>credentials for server {@code production}: {@code OMNIBUS_PRODUCTION_USERNAME} and
 *       {@code OMNIBUS_PRODUCTION_PASSWORD}.
 * </ul>
 *
 * <p>Immutable and thread-safe when the environment function is.
 *
 * <pre>{@code
 * ServerSelection selection = ServerSelection.defaults()
 *     .withServer("production")
 *     .withVariable("port", "9093")
 *     .withCredentials("production", Credentials.of("orders", secret));
 * }</pre>
 *
 * @param name the server's name, or {@code null} to take {@code OMNIBUS_SERVER} or the only server
 * @param variables explicit variable values by variable name; they win over the environment and defaults
 * @param credentials explicit secrets by server name; they win over the environment
 * @param environment looks up environment variables ({@code System::getenv} in production, a map in tests)
 */
public record ServerSelection(
    @Nullable String name,
    Map<String, String> variables,
    Map<String, Credentials> credentials,
    Function<String, @Nullable String> environment) {

  /** Copies the maps. */
  public ServerSelection {
    variables = Map.copyOf(variables);
    credentials = Map.copyOf(credentials);
    Objects.requireNonNull(environment, "environment");
  }

  /** Nothing explicit: everything from the process environment ({@code System.getenv}). */
  public static ServerSelection defaults() {
    return new ServerSelection(null, Map.of(), Map.of(), System::getenv);
  }

  /** Nothing explicit, and no environment either: only what the document says. */
  public static ServerSelection documentOnly() {
    return new ServerSelection(null, Map.of(), Map.of(), key -> null);
  }

  /** This selection, naming the server. */
  public ServerSelection withServer(String serverName) {
    Objects.requireNonNull(serverName, "serverName");
    return new ServerSelection(serverName, variables, credentials, environment);
  }

  /** This selection with a value for a server variable. */
  public ServerSelection withVariable(String variable, String value) {
    Objects.requireNonNull(variable, "variable");
    Objects.requireNonNull(value, "value");
    Map<String, String> copy = new HashMap<>(variables);
    copy.put(variable, value);
    return new ServerSelection(name, copy, credentials, environment);
  }

  /** This selection with the secrets for a server. */
  public ServerSelection withCredentials(String serverName, Credentials serverCredentials) {
    Objects.requireNonNull(serverName, "serverName");
    Objects.requireNonNull(serverCredentials, "serverCredentials");
    Map<String, Credentials> copy = new HashMap<>(credentials);
    copy.put(serverName, serverCredentials);
    return new ServerSelection(name, variables, copy, environment);
  }

  /** This selection reading the environment through another function, e.g. a map in tests. */
  public ServerSelection withEnvironment(Function<String, @Nullable String> lookup) {
    return new ServerSelection(name, variables, credentials, lookup);
  }

  /** The environment variable that names the server: {@code OMNIBUS_SERVER}. */
  public static String serverVariable() {
    return "OMNIBUS_SERVER";
  }

  /** The environment variable for a server variable: {@code OMNIBUS_VAR_<NAME>}. */
  public static String variableVariable(String variable) {
    return "OMNIBUS_VAR_" + envName(variable);
  }

  /** The environment variable for the user name of a server: {@code OMNIBUS_<SERVER>_USERNAME}. */
  public static String usernameVariable(String serverName) {
    return "OMNIBUS_" + envName(serverName) + "_USERNAME";
  }

  /** The environment variable for the password of a server: {@code OMNIBUS_<SERVER>_PASSWORD}. */
  public static String passwordVariable(String serverName) {
    return "OMNIBUS_" + envName(serverName) + "_PASSWORD";
  }

  private static String envName(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      out.append(c < 128 && Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return "ServerSelection[name=" + name + ", variables=" + variables + ", credentials=" + credentials.keySet()
        + "]";
  }
}
