package dev.omnibus.spi;

import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Secrets for one server, given to the builder or read from the environment ({@code OMNIBUS_<SERVER>_USERNAME},
 * {@code _PASSWORD}); never from the AsyncAPI document. {@link #toString()} never shows a secret, so credentials can
 * not leak into a log line or an exception message by accident.
 *
 * @param username the user name, or {@code null}
 * @param password the password, or {@code null}
 * @param other further secrets by name (e.g. {@code truststore.password}), may be empty
 */
public record Credentials(@Nullable String username, @Nullable String password, Map<String, String> other) {

  private static final Credentials NONE = new Credentials(null, null, Map.of());

  public Credentials {
    other = Map.copyOf(other);
  }

  /** No credentials. */
  public static Credentials none() {
    return NONE;
  }

  /** A user name and password. */
  public static Credentials of(String username, String password) {
    return new Credentials(username, password, Map.of());
  }

  /** Whether a user name and a password are both present. */
  public boolean hasUsernamePassword() {
    return username != null && password != null;
  }

  /** Another secret by name. */
  public Optional<String> other(String name) {
    return Optional.ofNullable(other.get(name));
  }

  @Override
  public String toString() {
    return "Credentials[username=" + (username == null ? "absent" : "present")
        + ", password=" + (password == null ? "absent" : "present") + ", other=" + other.keySet() + "]";
  }
}
