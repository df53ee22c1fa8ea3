package dev.omnibus.asyncapi;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.omnibus.ConfigurationException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Follows {@code $ref}s: local ones ({@code #/components/...}) and ones to sibling files ({@code common.yaml},
 * {@code ../common/messages.yaml#/commentLiked}), each resolved against the file that contains it. Remote ones
 * ({@code https://...}) are never fetched. Cycles are detected, never looped: a chain of references that comes back
 * to itself is a problem; a schema that contains itself keeps the inner {@code $ref} as it is.
 *
 * <p>Not thread-safe; one per document load.
 */
final class RefResolver {

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");
  private static final int MAX_DEPTH = 256;
  /**
   * The most nodes the references of one document may expand to, all inlined objects together. Checked before
   * anything is expanded, from sizes computed once per reference target, so a small document whose references
   * multiply ({@code a} holds ten {@code b}s, each holding ten {@code c}s...) is refused at once.
   */
  static final int MAX_NODES = 1_000_000;

  private final Sources sources;
  private final Problems problems;
  private final Map<URI, Optional<JsonNode>> files = new HashMap<>();
  private final Set<String> reported = new java.util.HashSet<>();
  private final Map<String, Long> sizes = new HashMap<>();
  private long nodes;

  RefResolver(Sources sources, URI rootFile, JsonNode root, Problems problems) {
    this.sources = sources;
    this.problems = problems;
    files.put(withoutFragment(rootFile), Optional.of(root));
  }

  static boolean isRef(JsonNode node) {
    return node.isObject() && node.has("$ref");
  }

  /** Whether a reference points at another host or scheme, which Omnibus does not fetch. */
  static boolean isRemote(String ref) {
    return SCHEME.matcher(ref).matches() && !ref.startsWith("file:") && !ref.startsWith("classpath:");
  }

  /**
   * The object a node stands for: the node itself, or the end of its chain of {@code $ref}s. Returns {@code null},
   * with the problem recorded, when a reference is broken, remote or part of a cycle.
   */
  @Nullable Located follow(Located located, String path) {
    Located current = located;
    Set<String> seen = new LinkedHashSet<>();
    while (isRef(current.node())) {
      JsonNode ref = current.node().get("$ref");
      if (!ref.isTextual()) {
        problems.add(Paths.of(path, "$ref"), "a $ref must be a string (a JSON pointer such as"
            + " '#/components/schemas/Order' or a file such as 'common.yaml#/Order'), not " + kind(ref));
        return null;
      }
      String text = ref.asText();
      if (isRemote(text)) {
        problems.add(Paths.of(path, "$ref"), "'" + text + "' is a remote reference: Omnibus reads only references"
            + " inside the document and to sibling files; copy the referenced object into the document or a file"
            + " next to it");
        return null;
      }
      Target target = target(text, current.file(), path);
      if (target == null) {
        return null;
      }
      if (!seen.add(target.key())) {
        seen.add(target.key());
        problems.add(Paths.of(path, "$ref"), "reference cycle: " + String.join(" -> ", seen)
            + "; make one of these references point at an object instead of another reference");
        return null;
      }
      current = target.located();
    }
    return current;
  }

  /**
   * Checks every reference written in a tree, each where it stands (nothing is expanded): non-string references,
   * broken pointers, missing files and chains that loop are problems; remote references are left alone.
   */
  void checkAll(Located located, String path) {
    JsonNode node = located.node();
    if (isRef(node)) {
      JsonNode ref = node.get("$ref");
      if (!ref.isTextual() || !isRemote(ref.asText())) {
        follow(located, path);
      }
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        checkAll(new Located(field.getValue(), located.file()), Paths.of(path, field.getKey()));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkAll(new Located(node.get(i), located.file()), Paths.of(path, i));
      }
    }
  }

  /**
   * A deep copy of the node with every local and file reference replaced by what it points at. When that would go
   * past the document's node budget ({@link #MAX_NODES}), nothing is expanded and a problem names the {@code $ref}
   * responsible, where it is written.
   */
  JsonNode inline(Located located, String path) {
    long size = size(located.node(), located.file(), new HashSet<>(), 0);
    if (nodes + size > MAX_NODES) {
      if (nodes <= MAX_NODES) {
        nodes = MAX_NODES + 1L; // one report per document
        reportTooLarge(located.node(), located.file(), path, size);
      }
      return located.node().deepCopy();
    }
    return inline(located.node(), located.file(), path, new ArrayDeque<>(), 0);
  }

  /** Reports the largest {@code $ref} written in a tree, where it is written, as what makes it too large. */
  private void reportTooLarge(JsonNode node, URI file, String path, long size) {
    String[] worst = {path, null};
    long[] worstSize = {-1};
    largestRef(node, file, path, worst, worstSize, 0);
    String what = worst[1] == null ? "this object" : "the reference '" + worst[1] + "'";
    problems.add(worst[1] == null ? path : Paths.of(worst[0], "$ref"), what + " expands to more than "
        + MAX_NODES + " nodes once its references are followed, the limit for a whole document; references that"
        + " multiply (an object that refers to another several times, which does the same...) must not reach that"
        + " size: point at smaller objects, or make the repeated part a single shared reference");
  }

  private void largestRef(JsonNode node, URI file, String path, String[] worst, long[] worstSize, int depth) {
    if (depth > MAX_DEPTH) {
      return;
    }
    if (isRef(node)) {
      long size = size(node, file, new HashSet<>(), 0);
      if (size > worstSize[0] && node.get("$ref").isTextual()) {
        worstSize[0] = size;
        worst[0] = path;
        worst[1] = node.get("$ref").asText();
      }
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        largestRef(field.getValue(), file, Paths.of(path, field.getKey()), worst, worstSize, depth + 1);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        largestRef(node.get(i), file, Paths.of(path, i), worst, worstSize, depth + 1);
      }
    }
  }

  /**
   * How many nodes a tree expands to once its references are inlined, at most {@code MAX_NODES + 1}; computed once
   * per reference target, so in time proportional to the document, not to what it expands to.
   */
  private long size(JsonNode node, URI file, Set<String> expanding, int depth) {
    if (depth > MAX_DEPTH) {
      return 1;
    }
    if (isRef(node)) {
      JsonNode ref = node.get("$ref");
      if (!ref.isTextual() || isRemote(ref.asText())) {
        return node.size() + 1L;
      }
      Target target = targetQuietly(ref.asText(), file, new Problems());
      if (target == null || expanding.contains(target.key())) {
        return node.size() + 1L; // broken (reported elsewhere) or recursive: stays a reference
      }
      Long known = sizes.get(target.key());
      if (known != null) {
        return known;
      }
      expanding.add(target.key());
      long size = size(target.located().node(), target.located().file(), expanding, depth + 1);
      expanding.remove(target.key());
      sizes.put(target.key(), size);
      return size;
    }
    long total = 1;
    for (JsonNode child : node) {
      total = Math.min(MAX_NODES + 1L, total + size(child, file, expanding, depth + 1));
    }
    return total;
  }

  private JsonNode inline(JsonNode node, URI file, String path, Deque<String> expanding, int depth) {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
      if (nodes == MAX_NODES + 1L || depth == MAX_DEPTH + 1) {
        problems.add(path, "the document is too large or too deeply nested once its references are expanded;"
            + " split it or reduce the nesting");
      }
      return JsonNodeFactory.instance.nullNode();
    }
    if (isRef(node)) {
      JsonNode ref = node.get("$ref");
      if (ref.isTextual() && isRemote(ref.asText())) {
        return node.deepCopy(); // kept for tools that can fetch it; Omnibus never does
      }
      if (ref.isTextual()) {
        Target first = target(ref.asText(), file, path);
        if (first == null) {
          return node.deepCopy();
        }
        if (expanding.contains(first.key())) {
          return node.deepCopy(); // a recursive schema: the inner reference stays a reference
        }
      }
      Located end = follow(new Located(node, file), path);
      if (end == null) {
        return node.deepCopy();
      }
      List<String> chain = chainKeys(node, file);
      chain.forEach(expanding::push);
      try {
        return inline(end.node(), end.file(), path, expanding, depth + 1);
      } finally {
        chain.forEach(key -> expanding.pop());
      }
    }
    if (node.isObject()) {
      ObjectNode copy = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        copy.set(field.getKey(), inline(field.getValue(), file, Paths.of(path, field.getKey()), expanding, depth + 1));
      }
      return copy;
    }
    if (node.isArray()) {
      ArrayNode copy = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < node.size(); i++) {
        copy.add(inline(node.get(i), file, Paths.of(path, i), expanding, depth + 1));
      }
      return copy;
    }
    return node.deepCopy();
  }

  private List<String> chainKeys(JsonNode node, URI file) {
    List<String> keys = new ArrayList<>();
    JsonNode current = node;
    URI currentFile = file;
    Problems silent = new Problems();
    while (isRef(current) && current.get("$ref").isTextual() && keys.size() < 64) {
      Target target = targetQuietly(current.get("$ref").asText(), currentFile, silent);
      if (target == null || keys.contains(target.key())) {
        break;
      }
      keys.add(target.key());
      current = target.located().node();
      currentFile = target.located().file();
    }
    return keys;
  }

  /** A reference's identity and what it points at. */
  record Target(String key, Located located) {}

  /** What a reference text points at, read relative to the file containing it; {@code null} with a problem. */
  @Nullable Target target(String ref, URI file, String path) {
    Problems local = new Problems();
    Target target = targetQuietly(ref, file, local);
    if (!local.isEmpty() && reported.add(file + "|" + ref)) { // one report per broken reference, where first seen
      for (ConfigurationException.Problem problem : local.list()) {
        problems.add(Paths.of(path, "$ref"), problem.message());
      }
    }
    return target;
  }

  private @Nullable Target targetQuietly(String ref, URI file, Problems sink) {
    int hash = ref.indexOf('#');
    String filePart = hash < 0 ? ref : ref.substring(0, hash);
    String fragment = hash < 0 ? "" : ref.substring(hash + 1);
    URI targetFile;
    if (filePart.isEmpty()) {
      targetFile = withoutFragment(file);
    } else {
      if (!Sources.readable(file)) {
        sink.add("", "'" + ref + "' refers to another file, but the document was given as text and has no folder;"
            + " load it with AsyncApiDocument.load(path) or fromClasspath(resource) instead");
        return null;
      }
      try {
        targetFile = withoutFragment(file.resolve(new URI(null, null, filePart, null)));
      } catch (URISyntaxException | IllegalArgumentException e) {
        sink.add("", "'" + ref + "' is not a valid reference: " + e.getMessage());
        return null;
      }
    }
    JsonNode root = load(targetFile, ref, sink);
    if (root == null) {
      return null;
    }
    String pointerText = decode(fragment);
    if (!pointerText.isEmpty() && !pointerText.startsWith("/")) {
      sink.add("", "'" + ref + "' has the fragment '#" + fragment + "', which is not a JSON pointer; write it with a"
          + " slash, e.g. '" + filePart + "#/" + fragment + "'");
      return null;
    }
    JsonNode target;
    try {
      target = root.at(JsonPointer.compile(pointerText));
    } catch (IllegalArgumentException e) {
      sink.add("", "'" + ref + "' is not a valid JSON pointer: " + e.getMessage());
      return null;
    }
    if (target.isMissingNode()) {
      sink.add("", "'" + ref + "' points at nothing: " + Sources.display(targetFile) + " has no '"
          + (pointerText.isEmpty() ? "/" : pointerText) + "'");
      return null;
    }
    return new Target(targetFile + "#" + pointerText, new Located(target, targetFile));
  }

  private @Nullable JsonNode load(URI file, String ref, Problems sink) {
    Optional<JsonNode> cached = files.get(file);
    if (cached != null) {
      if (cached.isEmpty()) {
        sink.add("", "'" + ref + "' points into " + Sources.display(file) + ", which cannot be read (see above)");
      }
      return cached.orElse(null);
    }
    JsonNode node = null;
    try {
      String text = sources.read(file);
      if (text == null) {
        sink.add("", "'" + ref + "' points at " + Sources.display(file) + ", which does not exist; check the file"
            + " name, relative to the file that contains the reference");
      } else {
        node = Sources.parse(text, Sources.display(file));
      }
    } catch (IOException e) {
      sink.add("", "'" + ref + "' points at " + Sources.display(file) + ", which cannot be read: " + e);
    } catch (ConfigurationException e) {
      sink.add("", "'" + ref + "' points at a file that " + e.getMessage());
    }
    files.put(file, Optional.ofNullable(node));
    return node;
  }

  private static URI withoutFragment(URI uri) {
    if (uri.getFragment() == null) {
      return uri.normalize();
    }
    try {
      return new URI(uri.getScheme(), uri.getSchemeSpecificPart(), null).normalize();
    } catch (URISyntaxException e) {
      return uri;
    }
  }

  private static String decode(String fragment) {
    if (fragment.indexOf('%') < 0) {
      return fragment;
    }
    StringBuilder out = new StringBuilder();
    byte[] pending = new byte[fragment.length()];
    int count = 0;
    for (int i = 0; i < fragment.length(); i++) {
      char c = fragment.charAt(i);
      if (c == '%' && i + 2 < fragment.length()
          && Character.digit(fragment.charAt(i + 1), 16) >= 0 && Character.digit(fragment.charAt(i + 2), 16) >= 0) {
        pending[count++] = (byte) Integer.parseInt(fragment.substring(i + 1, i + 3), 16);
        i += 2;
        continue;
      }
      if (count > 0) {
        out.append(new String(pending, 0, count, java.nio.charset.StandardCharsets.UTF_8));
        count = 0;
      }
      out.append(c);
    }
    if (count > 0) {
      out.append(new String(pending, 0, count, java.nio.charset.StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  static String kind(JsonNode node) {
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isNull()) {
      return "null";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    if (node.isNumber()) {
      return "a number";
    }
    return "nothing";
  }
}
