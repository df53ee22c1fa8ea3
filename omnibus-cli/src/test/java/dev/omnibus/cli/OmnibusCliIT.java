package dev.omnibus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built target/omnibus-cli.jar, run with java -jar as a user would. */
class OmnibusCliIT {

  private static final Path JAR = Path.of(System.getProperty("omnibus.cli.jar", "target/omnibus-cli.jar"));
  private static final Path SAMPLES = Path.of(System.getProperty("omnibus.cli.samples", "target/test-classes"));

  /** What a run printed and its exit status. */
  private record Run(int status, String out, String err) {}

  private static Run java(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command ends within a minute").isTrue();
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String contract(String name) {
    try {
      return Path.of(OmnibusCliIT.class.getResource("/contracts/" + name).toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theJarPrintsItsHelp(@TempDir Path dir) throws Exception {
    Run run = java(dir, "--help");

    assertThat(run.status()).isZero();
    assertThat(run.out()).startsWith("usage: java -jar omnibus-cli.jar");
  }

  @Test
  void theJarExportsTheEventTypesOfClassesOnTheGivenClasspath(@TempDir Path dir) throws Exception {
    Run run = java(dir, "export", "--classpath", SAMPLES.toString(), "dev.omnibus.cli.sample");

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("asyncapi: 3.0.0")
        .contains("x-omnibus-type: com.example.notes.written.v1", "NoteWritten:");
    assertThat(run.err()).doesNotContain("SLF4J");
  }

  @Test
  void theJarFailsACheckOnABreakingChangeAndWritesTheJsonReport(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("compat.json");

    Run run = java(dir, "check", "--json", json.toString(), contract("v1.yaml"), contract("v2-breaking.yaml"));

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.out()).contains("BREAKING (consumers)", "BREAKING (producers)");
    assertThat(new ObjectMapper().readTree(json.toFile()).get("counts").get("breaking").asInt()).isEqualTo(2);
  }

  @Test
  void theJarPassesACheckOnAnAdditiveChange(@TempDir Path dir) throws Exception {
    Run run = java(dir, "check", contract("v1.yaml"), contract("v2-additive.yaml"));

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).endsWith("1 change, 0 breaking.\n");
  }

  @Test
  void theJarWritesTheDocumentationOfADocument(@TempDir Path dir) throws Exception {
    Run run = java(dir, "docs", "--out", dir.resolve("docs").toString(), contract("v2-additive.yaml"));

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(Files.readString(dir.resolve("docs").resolve("index.html"), StandardCharsets.UTF_8))
        .startsWith("<!DOCTYPE html>").contains("Delivery semantics");
  }
}
