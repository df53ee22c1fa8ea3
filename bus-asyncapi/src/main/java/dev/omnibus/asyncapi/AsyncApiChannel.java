package dev.omnibus.asyncapi;

import dev.omnibus.spi.Bindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One channel of a document: where events go (a Kafka topic, an AMQP routing key or queue, an MQTT topic).
 *
 * <p>Immutable and thread-safe (see {@link AsyncApiMessage} about its schema nodes).
 *
 * @param id the channel's id: its key under {@code channels} (3.0), which for 2.x is also its address
 * @param address the address, with its <code>{param}</code> expressions; {@code null} when the document leaves it
 *     to be given at runtime (a 3.0 {@code address} that is {@code null} or absent)
 * @param parameters the declared parameters, by name
 * @param servers the names of the servers the channel is available on; empty means every server
 * @param bindings the channel bindings by protocol, as written (plain values), with their document path
 * @param options the {@code x-omnibus-*} extensions of the channel, without the prefix, as strings
 * @param messages the messages the channel carries
 * @param path where the channel is in the document, e.g. {@code channels.orderEvents}
 */
public record AsyncApiChannel(
    String id,
    @Nullable String address,
    Map<String, Parameter> parameters,
    List<String> servers,
    Bindings bindings,
    Map<String, String> options,
    List<AsyncApiMessage> messages,
    String path) {

  private static final Pattern EXPRESSION = Pattern.compile("\\{([^{}]*)}");

  /** Copies the collections. */
  public AsyncApiChannel {
    Objects.requireNonNull(id, "id");
    parameters = Map.copyOf(parameters);
    servers = List.copyOf(servers);
    Objects.requireNonNull(bindings, "bindings");
    options = Map.copyOf(options);
    messages = List.copyOf(messages);
    Objects.requireNonNull(path, "path");
  }

  /** Whether the address must be given at runtime, because the document leaves it {@code null}. */
  public boolean addressGivenAtRuntime() {
    return address == null;
  }

  /** Whether the channel can be used on the named server (it lists no servers, or lists this one). */
  public boolean availableOn(String serverName) {
    return servers.isEmpty() || servers.contains(serverName);
  }

  /** The names of the <code>{param}</code> expressions in the address, in order; empty without an address. */
  public List<String> addressParameters() {
    List<String> names = new ArrayList<>();
    if (address != null) {
      Matcher matcher = EXPRESSION.matcher(address);
      while (matcher.find()) {
        names.add(matcher.group(1));
      }
    }
    return names;
  }

  /**
   * One channel parameter: a <code>{name}</code> in the address.
   *
   * @param name the parameter name
   * @param enumValues the allowed values (3.0 {@code enum}, 2.x {@code schema.enum}), empty when any is allowed
   * @param defaultValue the value used when none is given (3.0 {@code default}, 2.x {@code schema.default}), or
   *     {@code null}
   * @param location a runtime expression saying where the value is in the message (e.g.
   *     {@code $message.payload#/user/id}), or {@code null}
   */
  public record Parameter(
      String name, List<String> enumValues, @Nullable String defaultValue, @Nullable String location) {

    /** Copies the values. */
    public Parameter {
      Objects.requireNonNull(name, "name");
      enumValues = List.copyOf(enumValues);
    }
  }
}
