package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.spi.Bindings;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code bindings} of a server, channel, operation or message: an object keyed by protocol, each value a
 * binding object handed on as plain Java values ({@code Map}, {@code List}, {@code String}, {@code Number},
 * {@code Boolean}) with the document path of the {@code bindings} object. The loader knows no protocol's grammar:
 * each broker binding parses and checks its own (Kafka in {@code bus-kafka}, AMQP in {@code bus-rabbitmq}...), so a
 * new binding needs no change here.
 */
final class BindingParser {

  /** Which object the bindings belong to, for messages. */
  enum Kind {
    SERVER("server"),
    CHANNEL("channel"),
    OPERATION("operation"),
    MESSAGE("message");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  private final Problems problems;

  BindingParser(Problems problems) {
    this.problems = problems;
  }

  /** Reads an inlined {@code bindings} object written at {@code path}; {@code null} means none. */
  Bindings parse(@Nullable JsonNode bindings, String path, Kind kind) {
    if (bindings == null || bindings.isNull() || bindings.isMissingNode()) {
      return Bindings.none();
    }
    if (RefResolver.isRef(bindings)) {
      return Bindings.none(); // a $ref that could not be followed, already reported where it is written
    }
    if (!bindings.isObject()) {
      problems.add(path, "bindings must be an object keyed by protocol (kafka, amqp, mqtt...), not "
          + RefResolver.kind(bindings));
      return Bindings.none();
    }
    Map<String, Object> byProtocol = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = bindings.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String protocol = entry.getKey();
      JsonNode value = entry.getValue();
      if (value.isNull() || protocol.startsWith("x-") || RefResolver.isRef(value)) {
        continue;
      }
      if (!value.isObject()) {
        problems.add(Paths.of(path, protocol), "a " + protocol + " " + kind.word + " binding must be an object, not "
            + RefResolver.kind(value));
        continue;
      }
      byProtocol.put(protocol, Json.plain(value));
    }
    return byProtocol.isEmpty() ? Bindings.none() : new Bindings(byProtocol, path);
  }
}
