package dev.omnibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.cli.sample.Notes;
import dev.omnibus.contract.Contracts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OmnibusCli.run: what each command prints and the status it exits with. */
class OmnibusCliTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return OmnibusCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String contract(String name) {
    try {
      return Path.of(OmnibusCliTest.class.getResource("/contracts/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void helpPrintsTheUsageAndExitsWithZero() {
    assertThat(run("--help")).isZero();
    assertThat(out()).startsWith("usage: java -jar omnibus-cli.jar <command> [options]")
        .contains("export [--classpath PATH]", "check [--json FILE] [--text FILE] [--no-fail] OLD NEW");
  }

  @Test
  void helpAfterACommandPrintsTheUsageToo() {
    assertThat(run("check", "--help")).isZero();
    assertThat(out()).startsWith("usage:");
  }

  @Test
  void withoutArgumentsItPrintsTheUsageAndExitsWithTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).startsWith("usage:");
  }

  @Test
  void anUnknownCommandExitsWithTwo() {
    assertThat(run("diff", "a", "b")).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: unknown command 'diff'");
  }

  @Test
  void anUnknownOptionExitsWithTwo() {
    assertThat(run("check", "--format", "md", contract("v1.yaml"), contract("v2-additive.yaml"))).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: unknown option '--format'");
  }

  @Test
  void exportPrintsTheDocumentOfThePackagesEventTypes() {
    assertThat(run("export", Notes.class.getPackageName())).isZero();
    assertThat(out()).isEqualTo(Contracts.export(List.of(Notes.NOTE_WRITTEN)));
  }

  @Test
  void exportWritesTheOutputFileWhenAsked(@TempDir Path dir) throws IOException {
    Path output = dir.resolve("api/asyncapi.yaml");

    assertThat(run("export", "--output", output.toString(), Notes.class.getName())).isZero();
    assertThat(Files.readString(output)).contains("x-omnibus-type: com.example.notes.written.v1");
    assertThat(out()).isEmpty();
  }

  @Test
  void exportWithoutClassesExitsWithTwo() {
    assertThat(run("export", "--output", "x.yaml")).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: export needs at least one class or package");
  }

  @Test
  void exportOfAClassWithoutEventTypesExitsWithTwo() {
    assertThat(run("export", String.class.getName())).isEqualTo(2);
    assertThat(err()).contains("no static EventType fields in java.lang.String");
  }

  @Test
  void checkPrintsTheChangesAndExitsWithOneOnABreakingChange() {
    assertThat(run("check", contract("v1.yaml"), contract("v2-breaking.yaml"))).isEqualTo(1);
    assertThat(out()).contains(
        "BREAKING (consumers)  channels.notes.messages.noteWritten.payload.properties.text: property 'text' removed",
        "BREAKING (producers)  channels.notes.messages.noteWritten.payload.properties.author: required property"
            + " 'author' added")
        .endsWith("2 changes, 2 breaking (1 for producers, 1 for consumers).\n");
  }

  @Test
  void checkExitsWithZeroOnAnAdditiveChange() {
    assertThat(run("check", contract("v1.yaml"), contract("v2-additive.yaml"))).isZero();
    assertThat(out()).endsWith("1 change, 0 breaking.\n");
  }

  @Test
  void checkWithNoFailExitsWithZeroOnABreakingChange() {
    assertThat(run("check", "--no-fail", contract("v1.yaml"), contract("v2-breaking.yaml"))).isZero();
    assertThat(out()).contains("2 breaking");
  }

  @Test
  void checkWritesTheJsonAndTextReports(@TempDir Path dir) throws IOException {
    Path json = dir.resolve("compat.json");
    Path text = dir.resolve("compat.txt");

    run("check", "--json", json.toString(), "--text", text.toString(), contract("v1.yaml"),
        contract("v2-breaking.yaml"));

    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertThat(report.get("breaking").asBoolean()).isTrue();
    assertThat(report.get("changes")).extracting(change -> change.get("kind").asText())
        .containsExactlyInAnyOrder("removed", "narrowed");
    assertThat(Files.readString(text)).isEqualTo(out());
  }

  @Test
  void checkPrintsTheJsonInsteadOfTheTextWithADash() throws IOException {
    run("check", "--json", "-", contract("v1.yaml"), contract("v2-additive.yaml"));

    assertThat(new ObjectMapper().readTree(out()).get("counts").get("changes").asInt()).isEqualTo(1);
  }

  @Test
  void checkOfAMissingDocumentExitsWithTwo(@TempDir Path dir) {
    assertThat(run("check", contract("v1.yaml"), dir.resolve("missing.yaml").toString())).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: ");
  }

  @Test
  void checkNeedsTwoDocuments() {
    assertThat(run("check", contract("v1.yaml"))).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: check needs two documents, OLD and NEW");
  }

  @Test
  void docsWritesThePageAndTheMarkdownOfADocument(@TempDir Path dir) throws IOException {
    Path target = dir.resolve("site");

    String document = Path.of(contract("v1.yaml")).resolveSibling("../docs/notes.yaml").normalize().toString();
    assertThat(run("docs", "--out", target.toString(), "--validation", "warn", document)).isZero();

    assertThat(err()).startsWith("Wrote " + target.resolve("index.html") + " and " + target.resolve("index.md"));
    String html = Files.readString(target.resolve("index.html"), StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<h2 id=\"delivery\">Delivery semantics</h2>")
        .contains("Warn: an invalid payload is logged and goes on.");
    assertThat(Files.readString(target.resolve("index.md"), StandardCharsets.UTF_8))
        .contains("`notes.dlq`, for every group.");
  }

  @Test
  void docsNeedsOneDocument() {
    assertThat(run("docs")).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: docs needs one AsyncAPI document");
  }

  @Test
  void docsRefusesAnUnknownValidationMode() {
    assertThat(run("docs", "--validation", "strict", contract("v1.yaml"))).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: --validation must be enforce, warn or off, not 'strict'");
  }

  @Test
  void docsOfAMissingDocumentExitsWithTwo(@TempDir Path dir) {
    assertThat(run("docs", "--out", dir.toString(), dir.resolve("missing.yaml").toString())).isEqualTo(2);
    assertThat(err()).startsWith("omnibus: ").contains("does not exist");
  }
}
