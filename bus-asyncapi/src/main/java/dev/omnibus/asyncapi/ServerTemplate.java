package dev.omnibus.asyncapi;

import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.SecurityScheme;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A server as the document declares it, before its variables are filled and credentials attached.
 *
 * @param name the server's name
 * @param path its document path, {@code servers.<name>}
 * @param protocol the protocol, lower case
 * @param protocolVersion the protocol version, or {@code null}
 * @param host the host template (from a 2.x {@code url}: scheme dropped, path split off)
 * @param pathname the pathname template, or {@code null}
 * @param addressField the field the templates come from: {@code url} (2.x) or {@code host} (3.x)
 * @param variables the declared variables, by name
 * @param security the schemes the server accepts, any one suffices
 * @param bindings the server bindings
 * @param options the {@code x-omnibus-*} extensions
 */
public record ServerTemplate(
    String name,
    String path,
    String protocol,
    @Nullable String protocolVersion,
    String host,
    @Nullable String pathname,
    String addressField,
    Map<String, Variable> variables,
    List<SecurityScheme> security,
    Bindings bindings,
    Map<String, String> options) {

  /** Copies the collections. */
  public ServerTemplate {
    variables = Map.copyOf(variables);
    security = List.copyOf(security);
    options = Map.copyOf(options);
  }

  /**
   * A declared server variable.
   *
   * @param name its name
   * @param defaultValue its {@code default}, or {@code null}
   * @param enumValues its {@code enum}, empty when any value is allowed
   */
  public record Variable(String name, @Nullable String defaultValue, List<String> enumValues) {

    /** Copies the values. */
    public Variable {
      enumValues = List.copyOf(enumValues);
    }
  }
}
