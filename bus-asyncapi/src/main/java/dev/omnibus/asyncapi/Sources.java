package dev.omnibus.asyncapi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.omnibus.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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

  /**
   * The largest document read, in code points (64 Mi): far above any real AsyncAPI document, low enough that a
   * runaway file is refused as too large rather than exhausting memory.
   */
  public static final int MAX_CODE_POINTS = 64 * 1024 * 1024;
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
        return decode(java.nio.file.Files.readAllBytes(Path.of(file)), display(file));
      } catch (NoSuchFileException e) {
        return null;
      }
    }
    if ("classpath".equals(file.getScheme())) {
      try (InputStream in = classLoader.getResourceAsStream(file.getPath().substring(1))) {
        return in == null ? null : decode(in.readAllBytes(), display(file));
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
    if (content.length() > MAX_CODE_POINTS && content.codePointCount(0, content.length()) > MAX_CODE_POINTS) {
      throw ConfigurationException.of("", documentName + " is too large: " + content.codePointCount(0,
          content.length()) + " characters, more than the limit of " + MAX_CODE_POINTS + " (64 Mi); split it into"
          + " files that point at each other with $ref");
    }
    String trimmed = content.stripLeading();
    boolean json = trimmed.startsWith("{") || trimmed.startsWith("[");
    if (!json) {
      return YamlTree.read(content, documentName, MAX_CODE_POINTS);
    }
    try {
      JsonNode node = JSON.readTree(content);
      return node == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : node;
    } catch (JsonProcessingException e) {
      throw ConfigurationException.of("", documentName + " is not well-formed " + (json ? "JSON" : "YAML") + ": "
          + describe(e) + "; fix the syntax at that position");
    } catch (IOException | RuntimeException e) {
      // never let a parser's own unchecked exceptions out raw
      throw ConfigurationException.of("", documentName + " cannot be read as " + (json ? "JSON" : "YAML") + ": "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + firstLine(e.getMessage())));
    }
  }

  /**
   * Decodes a document's bytes as UTF-8 (a leading byte order mark dropped), refusing any other encoding.
   *
   * @throws ConfigurationException naming the document and the byte offset of the first byte that is not UTF-8
   */
  public static String decode(byte[] bytes, String documentName) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      throw ConfigurationException.of("", documentName + " is not UTF-8 text: the byte at offset " + offset
          + " (0x" + String.format("%02X", bytes[Math.min(offset, bytes.length - 1)] & 0xFF) + ", line "
          + (lines(out) + 1) + ") cannot be decoded; save the document as UTF-8 (AsyncAPI documents are UTF-8)");
    }
    out.flip();
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  private static int lines(CharBuffer decoded) {
    int count = 0;
    for (int i = 0; i < decoded.position(); i++) {
      if (decoded.get(i) == '\n') {
        count++;
      }
    }
    return count;
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
