package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every AsyncAPI document written by others in the external corpus ({@link Corpus}: asyncapi-examples) either loads,
 * with each of its servers resolvable, or is refused with a {@link ConfigurationException} whose problems name their
 * path. Nothing ends in another exception. For the asyncapi/tck files about servers, variables, security and
 * channels, the file name's {@code valid-}/{@code invalid-} prefix is the expected outcome.
 *
 * <p>The tck's {@code bindings/} files (Kafka, AMQP, MQTT bindings) all load: the loader hands bindings on as
 * written, and each broker binding checks its own protocol's grammar when a bus is built on it. Their expected
 * outcome is checked there, by {@code KafkaBindingsTckTest}, {@code AmqpBindingsTckTest} and
 * {@code MqttBindingsTckTest}, against the same files. (Until issue 13 the loader refused the 56 invalid ones.)
 */
class AsyncApiCorpusTest {

  /** {@code <corpus>/asyncapi-examples}, set once the corpus is found. */
  private static Path examples;
  /** The TCK folders whose expected outcome Omnibus must match. */
  private static final List<String> CHECKED_TCK_FOLDERS = List.of("Servers Object", "Server Object",
      "Server Variable Object", "Server Bindings Object", "Security Requirement Object", "Security Scheme Object",
      "Channels Object", "Channel Item Object", "Parameters Object", "Parameter Object");
  /** The tck folder of protocol bindings, whose grammar the broker bindings check, not the loader. */
  private static final String BINDINGS_FOLDER = "bindings/";

  private static final Map<String, AtomicInteger> SUMMARY = new ConcurrentHashMap<>();
  private static final List<String> UNCHECKED_TCK_MISMATCHES = new ArrayList<>();
  private static final List<String> REFUSED_DOCUMENTS = new ArrayList<>();

  @BeforeAll
  static void corpus() {
    examples = Corpus.dir().resolve("asyncapi-examples");
  }

  @TestFactory
  Stream<DynamicTest> every_whole_document_loads_or_is_refused_with_paths() throws IOException {
    List<Path> documents = new ArrayList<>();
    try (Stream<Path> files = Files.list(examples)) {
      files.filter(Files::isRegularFile).filter(AsyncApiCorpusTest::isDocumentFile).forEach(documents::add);
    }
    try (Stream<Path> files = Files.walk(examples)) {
      files.filter(file -> file.getFileName().toString().equals("asyncapi.yaml"))
          .filter(file -> !file.startsWith(examples.resolve("tck")) && !file.startsWith(examples.resolve("fragments")))
          .forEach(documents::add);
    }
    assertThat(documents).hasSizeGreaterThan(70);
    return documents.stream().sorted().map(file -> DynamicTest.dynamicTest(examples.relativize(file).toString(),
        () -> {
          Outcome outcome = check(file);
          count("documents: " + outcome.summary());
          if (!outcome.valid()) {
            synchronized (REFUSED_DOCUMENTS) {
              REFUSED_DOCUMENTS.add(examples.relativize(file) + "\n      " + outcome.detail().replace("\n", "\n      "));
            }
          }
        }));
  }

  @TestFactory
  Stream<DynamicTest> every_tck_file_meets_its_expected_outcome_or_fails_cleanly() throws IOException {
    List<Path> tck;
    try (Stream<Path> files = Files.walk(examples.resolve("tck"))) {
      tck = files.filter(Files::isRegularFile).filter(AsyncApiCorpusTest::isDocumentFile).sorted().toList();
    }
    assertThat(tck).hasSizeGreaterThan(200);
    return tck.stream().map(file -> DynamicTest.dynamicTest(examples.relativize(file).toString(), () -> {
      Outcome outcome = check(file);
      String relative = examples.resolve("tck").relativize(file).toString().replace('\\', '/');
      String name = file.getFileName().toString();
      Boolean expectedValid = name.startsWith("valid") ? Boolean.TRUE : name.startsWith("invalid") ? Boolean.FALSE
          : null;
      count("tck: " + outcome.summary());
      if (expectedValid == null) {
        return; // a support file referenced by others; it only has to fail cleanly
      }
      if (relative.startsWith(BINDINGS_FOLDER)) {
        count("tck bindings/ folder: loaded, the binding's grammar left to its binding module");
        assertThat(outcome.valid())
            .as("%s only differs in its %s binding, which the loader hands on as written: %s", relative,
                relative.split("/")[1], outcome.detail())
            .isTrue();
        return;
      }
      boolean checked = CHECKED_TCK_FOLDERS.stream().anyMatch(relative::contains);
      boolean met = expectedValid == outcome.valid();
      count("tck " + (checked ? "checked" : "unchecked") + " folders: expected outcome " + (met ? "met" : "NOT met"));
      if (!checked) {
        if (!met) {
          synchronized (UNCHECKED_TCK_MISMATCHES) {
            UNCHECKED_TCK_MISMATCHES.add(relative + " -> " + outcome.summary());
          }
        }
        return;
      }
      assertThat(outcome.valid())
          .as("%s is expected to be %s, but: %s", relative, expectedValid ? "valid" : "invalid", outcome.detail())
          .isEqualTo(expectedValid);
    }));
  }

  @AfterAll
  static void printSummary() {
    if (examples == null) {
      return; // skipped: no corpus
    }
    StringBuilder text = new StringBuilder("AsyncAPI corpus summary:\n");
    new TreeMap<>(SUMMARY).forEach((key, count) -> text.append(String.format("  %4d  %s%n", count.get(), key)));
    text.append("  Refused documents:\n");
    REFUSED_DOCUMENTS.stream().sorted().forEach(line -> text.append("    ").append(line).append('\n'));
    if (!UNCHECKED_TCK_MISMATCHES.isEmpty()) {
      text.append("  TCK files outside the checked folders whose expected outcome is not met:\n");
      UNCHECKED_TCK_MISMATCHES.stream().sorted().forEach(line -> text.append("    ").append(line).append('\n'));
    }
    System.out.print(text);
    try {
      Path target = Path.of("target");
      if (Files.isDirectory(target)) {
        Files.writeString(target.resolve("asyncapi-corpus-summary.txt"), text);
      }
    } catch (IOException e) {
      // the summary is printed anyway
    }
  }

  /** What became of one document. */
  private record Outcome(boolean valid, String summary, String detail) {}

  private static Outcome check(Path file) {
    AsyncApiDocument document;
    try {
      document = AsyncApiDocument.load(file);
    } catch (ConfigurationException e) {
      assertProblemsNamePaths(file, e);
      return new Outcome(false, "refused at load: " + reason(e.problems().get(0)), e.getMessage());
    } catch (RuntimeException e) {
      throw new AssertionError(file + " must load or fail with a ConfigurationException, not " + e, e);
    }
    assertThat(document.asyncApiVersion()).isNotBlank();
    boolean neededVariables = false;
    for (String server : document.serverNames()) {
      try {
        ServerConfig config = resolve(document, server, Map.of());
        assertThat(config.name()).isEqualTo(server);
      } catch (ConfigurationException e) {
        assertProblemsNamePaths(file, e);
        Map<String, String> overrides = new TreeMap<>();
        for (Problem problem : e.problems()) {
          String prefix = "servers." + server + ".variables.";
          if (!problem.path().startsWith(prefix)) {
            return new Outcome(false, "refused at server resolution: " + reason(problem), e.getMessage());
          }
          assertThat(problem.message()).as(problem.toString()).contains("needs a value", "OMNIBUS_VAR_");
          overrides.put(problem.path().substring(prefix.length()), "1");
        }
        neededVariables = true;
        try {
          resolve(document, server, overrides);
        } catch (ConfigurationException again) {
          return new Outcome(false, "refused at server resolution: " + reason(again.problems().get(0)),
              again.getMessage());
        }
      } catch (RuntimeException e) {
        throw new AssertionError(file + ": resolving server '" + server + "' must succeed or fail with a"
            + " ConfigurationException, not " + e, e);
      }
      for (String channel : document.channels().keySet()) {
        try {
          assertThat(document.channel(channel, server).id()).isEqualTo(channel);
        } catch (ConfigurationException e) {
          assertThat(e.getMessage()).contains("not available on server '" + server + "'");
        }
      }
    }
    for (AsyncApiOperation operation : document.operations()) {
      assertThat(document.channels()).containsKey(operation.channelId());
    }
    return new Outcome(true, neededVariables ? "loaded, a server variable without default needs a value"
        : document.serverNames().isEmpty() ? "loaded (no servers)" : "loaded, every server resolves", "loaded");
  }

  private static ServerConfig resolve(AsyncApiDocument document, String server, Map<String, String> variables) {
    ServerSelection selection = ServerSelection.documentOnly().withServer(server);
    for (String name : document.serverNames()) {
      selection = selection.withCredentials(name, Credentials.of("dummy-user", "dummy-password"));
    }
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      selection = selection.withVariable(variable.getKey(), variable.getValue());
    }
    return document.resolveServer(selection);
  }

  private static void assertProblemsNamePaths(Path file, ConfigurationException e) {
    assertThat(e.getClass()).isEqualTo(ConfigurationException.class);
    assertThat(e.problems()).isNotEmpty();
    for (Problem problem : e.problems()) {
      assertThat(problem.message()).as("%s: %s", file, problem).isNotBlank();
      if (problem.path().isEmpty()) {
        assertThat(problem.message()).as("a problem without a path must name the document: %s", problem)
            .contains(file.toString());
      }
    }
  }

  private static String reason(Problem problem) {
    String path = problem.path();
    String message = problem.message();
    if (message.contains("1.x")) {
      return "AsyncAPI 1.x (convert it)";
    }
    if (message.contains("not well-formed") || message.contains("cannot be read")) {
      return "malformed YAML/JSON";
    }
    if (path.contains("$ref") || message.contains("reference")) {
      return "broken or remote $ref";
    }
    if (path.contains(".bindings")) {
      return "invalid binding";
    }
    if (path.contains("security")) {
      return "invalid security scheme or requirement";
    }
    if (path.startsWith("servers")) {
      return "invalid server";
    }
    if (path.startsWith("channels") || path.startsWith("operations")) {
      return "invalid channel, parameter, operation or message";
    }
    if (path.startsWith("asyncapi")) {
      return "missing or invalid asyncapi version";
    }
    return "invalid document structure (" + (path.isEmpty() ? "top level" : path.split("\\.")[0]) + ")";
  }

  private static boolean isDocumentFile(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json");
  }

  private static void count(String key) {
    SUMMARY.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  static Set<String> checkedFolders() {
    return Set.copyOf(CHECKED_TCK_FOLDERS);
  }
}
