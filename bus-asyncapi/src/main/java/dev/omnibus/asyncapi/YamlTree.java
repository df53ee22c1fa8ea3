package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.omnibus.ConfigurationException;
import java.math.BigInteger;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads YAML text into a Jackson tree the way YAML 1.2 does (its core schema): only {@code true}/{@code false}
 * (and their {@code True}/{@code TRUE} forms) are booleans, so {@code on}, {@code off}, {@code yes} and {@code no}
 * stay strings; {@code null}, {@code Null}, {@code NULL}, {@code ~} and nothing are null; {@code .inf},
 * {@code -.inf} and {@code .nan} are numbers. Aliases are resolved to what their anchor holds, within a node
 * budget, so an alias bomb is refused instead of expanded; an alias inside its own anchor is refused with its
 * path. Merge keys ({@code <<: *base}, from YAML 1.1) are applied by the parser, the mapping's own keys winning.
 * Duplicate keys are refused.
 *
 * <p>Stateless and thread-safe; each read uses its own parser.
 */
final class YamlTree {

  /** The most nodes one document may expand to once its aliases are resolved. */
  static final int MAX_NODES = 2_000_000;
  /** The deepest nesting of mappings and lists a document may have. */
  static final int MAX_DEPTH = 1_000;
  /** The most aliases to mappings and lists; the node budget bounds what they expand to. */
  private static final int MAX_COLLECTION_ALIASES = 100_000;

  private final String documentName;
  private final Map<Node, Boolean> expanding = new IdentityHashMap<>();
  private int nodes;

  private YamlTree(String documentName) {
    this.documentName = documentName;
  }

  /**
   * Parses one YAML document.
   *
   * @param content the text, at most {@code maxCodePoints} code points (checked by the caller)
   * @throws ConfigurationException naming the document, the line and column or the path, when it cannot be read
   */
  static JsonNode read(String content, String documentName, int maxCodePoints) {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(documentName)
        .setSchema(new CoreSchema())
        .setCodePointLimit(maxCodePoints)
        .setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
        .setAllowRecursiveKeys(false)
        .setAllowDuplicateKeys(false)
        .setParseComments(false)
        .setUseMarks(true)
        .build();
    Optional<Node> root;
    try {
      root = new Compose(settings).composeString(content);
    } catch (MarkedYamlEngineException e) {
      throw ConfigurationException.of("", documentName + " is not well-formed YAML: " + describe(e)
          + "; fix the syntax at that position");
    } catch (YamlEngineException e) {
      throw ConfigurationException.of("", documentName + " is not well-formed YAML: " + firstLine(e.getMessage())
          + "; fix the syntax");
    } catch (StackOverflowError e) {
      throw tooDeep(documentName, "");
    }
    if (root.isEmpty()) {
      return MissingNode.getInstance();
    }
    return new YamlTree(documentName).convert(root.get(), "", 0);
  }

  private JsonNode convert(Node node, String path, int depth) {
    if (++nodes > MAX_NODES) {
      throw ConfigurationException.of(path, documentName + " expands to more than " + MAX_NODES + " nodes once its"
          + " YAML aliases (*name) are resolved" + at(node) + "; an alias that repeats a large anchor many times is"
          + " refused as an alias bomb: write the repeated part once and point at it with a $ref");
    }
    if (depth > MAX_DEPTH) {
      throw tooDeep(documentName, path);
    }
    if (node instanceof ScalarNode scalar) {
      return scalar(scalar, path);
    }
    if (expanding.put(node, Boolean.TRUE) != null) {
      throw ConfigurationException.of(path, "a YAML alias" + at(node) + " of " + documentName + " refers to a"
          + " mapping or list that contains it, which would never end; use a $ref for a recursive schema");
    }
    try {
      if (node instanceof SequenceNode sequence) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Node item : sequence.getValue()) {
          array.add(convert(item, Paths.of(path, array.size()), depth + 1));
        }
        return array;
      }
      MappingNode mapping = (MappingNode) node;
      ObjectNode object = JsonNodeFactory.instance.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          throw ConfigurationException.of(path, "a key" + at(tuple.getKeyNode()) + " of " + documentName
              + " is a mapping or a list; AsyncAPI keys are strings: write the key as text");
        }
        String name = key.getValue();
        String at = Paths.of(path, name);
        if (object.has(name)) {
          throw ConfigurationException.of(at, "'" + name + "' is written twice" + at(key) + " in " + documentName
              + "; keep one of them");
        }
        object.set(name, convert(tuple.getValueNode(), at, depth + 1));
      }
      return object;
    } finally {
      expanding.remove(node);
    }
  }

  private static JsonNode scalar(ScalarNode scalar, String path) {
    String value = scalar.getValue();
    Tag tag = scalar.getTag();
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    if (tag.equals(Tag.NULL)) {
      return nodes.nullNode();
    }
    if (tag.equals(Tag.BOOL)) {
      return nodes.booleanNode(value.equalsIgnoreCase("true"));
    }
    if (tag.equals(Tag.INT)) {
      BigInteger number = integer(value);
      if (number != null) {
        if (number.bitLength() < 32) {
          return nodes.numberNode(number.intValue());
        }
        return number.bitLength() < 64 ? nodes.numberNode(number.longValue()) : nodes.numberNode(number);
      }
    }
    if (tag.equals(Tag.FLOAT)) {
      Double number = floating(value);
      if (number != null) {
        return nodes.numberNode(number);
      }
    }
    return nodes.textNode(value);
  }

  /** A core-schema integer: decimal, {@code 0o} octal or {@code 0x} hexadecimal; {@code null} if it is none. */
  private static BigInteger integer(String text) {
    try {
      if (text.startsWith("0o")) {
        return new BigInteger(text.substring(2), 8);
      }
      if (text.startsWith("0x")) {
        return new BigInteger(text.substring(2), 16);
      }
      return new BigInteger(text.startsWith("+") ? text.substring(1) : text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A core-schema float, {@code .inf}, {@code -.inf} and {@code .nan} included; {@code null} if it is none. */
  private static Double floating(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    switch (lower) {
      case ".inf":
      case "+.inf":
        return Double.POSITIVE_INFINITY;
      case "-.inf":
        return Double.NEGATIVE_INFINITY;
      case ".nan":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(text);
        } catch (NumberFormatException e) {
          return null;
        }
    }
  }

  private static ConfigurationException tooDeep(String documentName, String path) {
    return ConfigurationException.of(path, documentName + " nests mappings and lists more than " + MAX_DEPTH
        + " levels deep; flatten it, or move parts under components and point at them with $ref");
  }

  private static String at(Node node) {
    return node.getStartMark().map(mark -> " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
        + ")").orElse("");
  }

  private static String describe(MarkedYamlEngineException e) {
    String problem = e.getProblem() == null ? e.getClass().getSimpleName() : firstLine(e.getProblem());
    Optional<Mark> mark = e.getProblemMark().isPresent() ? e.getProblemMark() : e.getContextMark();
    return problem + mark.map(m -> " (line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ")")
        .orElse("");
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
