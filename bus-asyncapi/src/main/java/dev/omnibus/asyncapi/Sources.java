package dev.omnibus.asyncapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.omnibus.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.jspecify.annotations.Nullable;

/**
 * Reads AsyncAPI files (YAML or JSON) into trees. Knows three kinds of file: {@code file:} URIs, {@code classpath:}
 * URIs (resources of a class loader) and {@code string:} URIs (a document given as text, which has no siblings).
 * Never lets a YAML or Jackson exception out: a malformed file is a {@link ConfigurationException}.
 */
public final class Sources {

  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final ClassLoader classLoader;

  /** Sources whose {@code classpath:} files come from the given loader. */
  public Sources(ClassLoader classLoader) {
    this.classLoader = classLoader;
  }

  /** The URI a file system path is known by. */
  public static URI fileUri(Path path) {
    return path.toAbsolutePath().normalize().toUri();
  }

  /** The URI a classpath resource is known by. */
  public static URI classpathUri(String resource) {
    String path = resource.startsWith("/") ? resource : "/" + resource;
    return URI.create("classpath:" + encodePath(path));
  }

  /** The URI a document given as text is known by: its origin when it names a file, so siblings resolve. */
  public static URI stringUri(String origin) {
    try {
      Path path = Paths.get(origin);
      if (path.getFileName() != null && path.toString().matches(".*\\.(ya?ml|json)$")) {
        return fileUri(path);
      }
    } catch (RuntimeException e) {
      // not a path: fall through
    }
    return URI.create("string:/" + encodePath(origin.replace('/', '_')));
  }

  /** A short human name for a file URI. */
  public static String display(URI file) {
    if ("file".equals(file.getScheme())) {
      return Path.of(file).toString();
    }
    if ("classpath".equals(file.getScheme())) {
      return "classpath:" + file.getPath().substring(1);
    }
    return file.getPath() == null ? file.toString() : file.getPath().substring(1);
  }

  /** Whether files of this URI's kind can be read at all. */
  static boolean readable(URI file) {
    return "file".equals(file.getScheme()) || "classpath".equals(file.getScheme());
  }

  /** Reads a file's text, or returns {@code null} when it does not exist. */
  @Nullable String read(URI file) throws IOException {
    if ("file".equals(file.getScheme())) {
      try {
        return java.nio.file.Files.readString(Path.of(file), StandardCharsets.UTF_8);
      } catch (NoSuchFileException e) {
        return null;
      }
    }
    if ("classpath".equals(file.getScheme())) {
      try (InputStream in = classLoader.getResourceAsStream(file.getPath().substring(1))) {
        return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /**
   * Parses YAML or JSON text (JSON when it starts with <code>{</code> or <code>[</code>).
   *
   * @throws ConfigurationException naming the document when the text is not well-formed
   */
  public static JsonNode parse(String content, String documentName) {
    String trimmed = content.stripLeading();
    boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
    try {
      JsonNode node = (json ? JSON : YAML).readTree(content);
      return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
    } catch (JsonProcessingException e) {
      throw ConfigurationException.of("", documentName + " is not well-formed " + (json ? "JSON" : "YAML") + ": "
          + describe(e) + "; fix the syntax at that position");
    } catch (IOException | RuntimeException e) {
      // SnakeYAML may throw its own unchecked exceptions on exotic input; never let them out raw.
      throw ConfigurationException.of("", documentName + " cannot be read as " + (json ? "JSON" : "YAML") + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + firstLine(e.getMessage())));
    }
  }

  private static String describe(JsonProcessingException e) {
    String message = firstLine(e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage());
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      message += " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private static String encodePath(String path) {
    try {
      return new URI(null, null, path, null).getRawPath();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(path, e);
    }
  }
}
