package dev.omnibus.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.contract.Contracts.Change;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The result of comparing two versions of a document, as the Maven plugin's {@code check} goal and the command line
 * write it: {@link #json()} for machines, {@link #text()} for people.
 *
 * <pre>{@code
 * CompatibilityReport report = CompatibilityReport.compare(Path.of("v1.yaml"), Path.of("v2.yaml"));
 * Files.writeString(Path.of("target/omnibus-compat.json"), report.json());
 * if (report.breaking()) {
 *   System.err.print(report.text());
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param older how the older document is named in the report (its path, usually)
 * @param newer how the newer document is named in the report
 * @param changes the changes, as {@link Contracts#compare} lists them
 */
public record CompatibilityReport(String older, String newer, List<Change> changes) {

  /** The version of the JSON report's layout; raised when a field changes meaning or disappears. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Two spaces, {@code "key": value}, arrays one element a line, {@code []} when empty: like most JSON tools. */
  private static final ObjectWriter WRITER = JSON.writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
      .withObjectFieldValueSpacing(Separators.Spacing.AFTER).withArrayEmptySeparator(""))
      .withArrayIndenter(new DefaultIndenter("  ", "\n")).withObjectIndenter(new DefaultIndenter("  ", "\n")));

  /** Checks the components and copies the list. */
  public CompatibilityReport {
    Objects.requireNonNull(older, "older");
    Objects.requireNonNull(newer, "newer");
    changes = List.copyOf(changes);
  }

  /**
   * Loads two documents and compares them.
   *
   * @throws dev.omnibus.ConfigurationException when a document cannot be read or parsed
   */
  public static CompatibilityReport compare(Path older, Path newer) {
    Objects.requireNonNull(older, "older");
    Objects.requireNonNull(newer, "newer");
    return new CompatibilityReport(older.toString(), newer.toString(),
        Contracts.compare(AsyncApiDocument.load(older), AsyncApiDocument.load(newer)));
  }

  /** Whether any change breaks producers or consumers. */
  public boolean breaking() {
    return changes.stream().anyMatch(Change::breaking);
  }

  /**
   * The report as JSON: {@code formatVersion}, {@code old}, {@code new}, {@code breaking}, {@code counts}
   * ({@code changes}, {@code breaking}, {@code breakingForProducers}, {@code breakingForConsumers}) and
   * {@code changes}, each with {@code path}, {@code kind} (lower case: {@code added}, {@code removed},
   * {@code narrowed}, {@code widened}, {@code changed}, {@code annotation}), {@code breaking},
   * {@code breakingForProducers}, {@code breakingForConsumers} and {@code description}.
   */
  public String json() {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", FORMAT_VERSION);
    root.put("old", older);
    root.put("new", newer);
    root.put("breaking", breaking());
    ObjectNode counts = root.putObject("counts");
    counts.put("changes", changes.size());
    counts.put("breaking", changes.stream().filter(Change::breaking).count());
    counts.put("breakingForProducers", changes.stream().filter(Change::breaksProducers).count());
    counts.put("breakingForConsumers", changes.stream().filter(Change::breaksConsumers).count());
    ArrayNode list = root.putArray("changes");
    for (Change change : changes) {
      ObjectNode node = list.addObject();
      node.put("path", change.path());
      node.put("kind", change.kind().name().toLowerCase(Locale.ROOT));
      node.put("breaking", change.breaking());
      node.put("breakingForProducers", change.breaksProducers());
      node.put("breakingForConsumers", change.breaksConsumers());
      node.put("description", change.description());
    }
    try {
      return WRITER.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A tree of strings and numbers always writes", e);
    }
  }

  /**
   * The report for people: one line per change ({@code BREAKING (producers)}, {@code BREAKING (consumers)},
   * {@code BREAKING (both)} or {@code ok}, the path, what changed and why it breaks or not), then a count.
   */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("Compatibility of ").append(newer).append(" with ").append(older).append('\n');
    changes.forEach(change -> out.append(change).append('\n'));
    out.append(summary()).append('\n');
    return out.toString();
  }

  /** One line: how many changes, how many break, and whom. */
  public String summary() {
    if (changes.isEmpty()) {
      return "No changes.";
    }
    long breaking = changes.stream().filter(Change::breaking).count();
    return changes.size() + " change" + (changes.size() == 1 ? "" : "s") + ", " + breaking + " breaking"
        + (breaking == 0 ? "." : " (" + changes.stream().filter(Change::breaksProducers).count()
        + " for producers, " + changes.stream().filter(Change::breaksConsumers).count() + " for consumers).");
  }
}
