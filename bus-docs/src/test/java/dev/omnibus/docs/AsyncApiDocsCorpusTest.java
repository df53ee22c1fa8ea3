package dev.omnibus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.ConfigurationException;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.tck.Corpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every whole document of the external corpus ({@link Corpus}: asyncapi-examples) that loads renders to HTML and
 * Markdown without error; one the loader refuses is counted with its first problem. The counts are printed and
 * written to {@code target/asyncapi-docs-corpus-summary.txt}.
 */
class AsyncApiDocsCorpusTest {

  private static Path examples;
  private static final Map<String, String> REFUSED = new ConcurrentHashMap<>();
  private static final List<String> RENDERED = new ArrayList<>();

  @BeforeAll
  static void corpus() {
    examples = Corpus.dir().resolve("asyncapi-examples");
  }

  @TestFactory
  Stream<DynamicTest> every_document_that_loads_renders() throws IOException {
    List<Path> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(examples)) {
      files.filter(Files::isRegularFile).filter(file -> file.getFileName().toString().matches(".*\\.(ya?ml|json)$"))
          .forEach(documents::add);
    }
    try (Stream<Path> files = Files.walk(examples)) {
      files.filter(file -> file.getFileName().toString().equals("asyncapi.yaml"))
          .filter(file -> !file.startsWith(examples.resolve("tck")) && !file.startsWith(examples.resolve("fragments")))
          .forEach(documents::add);
    }
    assertThat(documents).hasSizeGreaterThan(70);
    return documents.stream().sorted().map(file -> DynamicTest.dynamicTest(examples.relativize(file).toString(),
        () -> {
          AsyncApiDocument document;
          try {
            document = AsyncApiDocument.load(file);
          } catch (ConfigurationException e) {
            REFUSED.put(examples.relativize(file).toString(), e.problems().get(0).toString());
            return;
          }
          AsyncApiDocs docs = AsyncApiDocs.of(document);
          String html = docs.html();
          String markdown = docs.markdown();
          assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n").doesNotContain("<script");
          assertThat(markdown).contains("## Delivery semantics");
          for (String channel : document.channels().keySet()) {
            assertThat(html).contains("id=\"" + PageIds.channel(channel) + "\"");
          }
          synchronized (RENDERED) {
            RENDERED.add(examples.relativize(file).toString());
          }
        }));
  }

  @AfterAll
  static void summary() throws IOException {
    if (examples == null) {
      return;
    }
    StringBuilder text = new StringBuilder("AsyncAPI documentation over the corpus: " + RENDERED.size()
        + " documents rendered, " + REFUSED.size() + " refused by the loader\n");
    new TreeMap<>(REFUSED).forEach((file, why) -> text.append("  refused ").append(file).append(": ").append(why)
        .append('\n'));
    System.out.print(text);
    if (Files.isDirectory(Path.of("target"))) {
      Files.writeString(Path.of("target", "asyncapi-docs-corpus-summary.txt"), text);
    }
  }
}
