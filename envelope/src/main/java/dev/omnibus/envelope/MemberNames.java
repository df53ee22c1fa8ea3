package dev.omnibus.envelope;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The member names of the JSON objects open in a parser, to refuse an object naming a member twice: what Jackson's
 * {@code STRICT_DUPLICATE_DETECTION} does, with the same exception and message, but without a {@code HashSet} for
 * every object of three members or more. Events and their data are mostly small objects, where a scan of the few
 * names seen is cheaper; an object past {@value #SCAN_LIMIT} members gets a set, so that a large one stays linear.
 *
 * <p>One instance follows one parser; not thread-safe.
 */
final class MemberNames {

  private static final int SCAN_LIMIT = 16;

  /** The names of every open object, innermost last: {@code names[0..size)}. */
  private String[] names = new String[16];
  private int size;
  /** Where each open object's names start in {@link #names}. */
  private int[] starts = new int[8];
  /** The set of each open object that outgrew the scan, else {@code null}. */
  private Set<?>[] sets = new Set<?>[8];
  private int depth;

  /** Call on an object's START_OBJECT. */
  void enterObject() {
    if (depth == starts.length) {
      starts = Arrays.copyOf(starts, depth * 2);
      sets = Arrays.copyOf(sets, depth * 2);
    }
    starts[depth] = size;
    sets[depth] = null;
    depth++;
  }

  /** Call on an object's END_OBJECT. */
  void exitObject() {
    depth--;
    size = starts[depth];
    sets[depth] = null;
  }

  /**
   * Records a member name of the innermost open object.
   *
   * @throws JsonParseException {@code Duplicate field '<name>'}, as Jackson says it, when the object has it already
   */
  void add(JsonParser parser, String name) throws JsonParseException {
    int start = starts[depth - 1];
    @SuppressWarnings("unchecked")
    Set<String> set = (Set<String>) sets[depth - 1];
    boolean duplicate;
    if (set != null) {
      duplicate = !set.add(name);
    } else {
      duplicate = false;
      for (int i = start; i < size && !duplicate; i++) {
        String seen = names[i];
        // Jackson hands out one String per distinct name, so == mostly decides; equals covers the rest.
        duplicate = seen == name || (seen.length() == name.length() && seen.equals(name));
      }
      if (!duplicate && size - start == SCAN_LIMIT) {
        set = new HashSet<>(Arrays.asList(names).subList(start, size));
        set.add(name);
        sets[depth - 1] = set;
      }
    }
    if (duplicate) {
      throw new JsonParseException(parser, "Duplicate field '" + name + "'");
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2);
    }
    names[size++] = name;
  }

  /**
   * {@link JsonParser#skipChildren()} checking member names: when the current token starts an object or an array,
   * moves to its matching end, refusing a member named twice in any object inside; else does nothing.
   */
  static void skipChildren(JsonParser parser) throws IOException {
    JsonToken first = parser.currentToken();
    if (first != JsonToken.START_OBJECT && first != JsonToken.START_ARRAY) {
      return;
    }
    MemberNames names = new MemberNames();
    if (first == JsonToken.START_OBJECT) {
      names.enterObject();
    }
    int open = 1;
    while (open > 0) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return; // the parser has reported the missing end already; Jackson's skipChildren stops here too
      }
      switch (token) {
        case START_OBJECT -> {
          open++;
          names.enterObject();
        }
        case START_ARRAY -> open++;
        case END_OBJECT -> {
          open--;
          names.exitObject();
        }
        case END_ARRAY -> open--;
        case FIELD_NAME -> names.add(parser, parser.currentName());
        default -> { }
      }
    }
  }
}
