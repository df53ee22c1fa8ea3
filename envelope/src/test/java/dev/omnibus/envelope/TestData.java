package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The corpus's CloudEvents files, read in place (see {@link Corpus}), and helpers to look at events. */
final class TestData {

  private TestData() {}

  /** {@code <corpus>/cloudevents}; the calling test is skipped without the corpus (see {@link Corpus}). */
  static Path cloudEvents() {
    Path dir = Corpus.dir().resolve("cloudevents");
    assertThat(dir).isDirectory();
    return dir;
  }

  static Path file(String relative) {
    return cloudEvents().resolve(relative);
  }

  static byte[] bytes(String relative) {
    try {
      return Files.readAllBytes(file(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String relative) {
    return new String(bytes(relative), StandardCharsets.UTF_8);
  }

  /** Every regular file under the directory, as paths relative to {@code cloudevents/} with {@code /} separators. */
  static List<String> filesUnder(String relativeDir) {
    Path root = cloudEvents();
    try (Stream<Path> walk = Files.walk(root.resolve(relativeDir))) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString().replace('\\', '/'))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Decodes a body as a structured-mode message ({@code application/cloudevents+json}) through Kafka. */
  static CloudEvent decodeStructured(byte[] body) {
    return EnvelopeCodec.of(HeaderConvention.KAFKA)
        .decode(new WireMessage(Map.of(), "application/cloudevents+json", body, null));
  }

  /**
   * Every attribute of an event, extensions included, in its canonical string form (STANDARDS.md §1.4), the way
   * binary mode carries them. Two events with equal maps carry the same context.
   */
  static Map<String, String> canonicalAttributes(CloudEvent event) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("specversion", event.getSpecVersion().toString());
    attributes.put("id", event.getId());
    attributes.put("source", event.getSource().toString());
    attributes.put("type", event.getType());
    putIfSet(attributes, "datacontenttype", event.getDataContentType());
    putIfSet(attributes, "dataschema", event.getDataSchema());
    putIfSet(attributes, "subject", event.getSubject());
    putIfSet(attributes, "time", event.getTime());
    for (String name : event.getExtensionNames()) {
      putIfSet(attributes, name, event.getExtension(name));
    }
    return attributes;
  }

  private static void putIfSet(Map<String, String> attributes, String name, Object value) {
    if (value != null) {
      attributes.put(name, EnvelopeCodec.canonicalString(value instanceof URI uri ? uri.toString() : value));
    }
  }

  static String dataText(CloudEvent event) {
    assertThat(event.getData()).as("data of event %s", event.getId()).isNotNull();
    return new String(event.getData().toBytes(), StandardCharsets.UTF_8);
  }
}
