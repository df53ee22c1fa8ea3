package dev.omnibus.maven;

import dev.omnibus.EventBusException;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.contract.CompatibilityReport;
import dev.omnibus.contract.Contracts;
import dev.omnibus.contract.Contracts.Change;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.jspecify.annotations.Nullable;

/**
 * Compares two versions of an AsyncAPI document — the released one ({@code old}) and the one this build makes
 * ({@code new}, by default what {@code omnibus:export} wrote) — writes every change to a JSON and a text report, and
 * fails the build when a change breaks producers or consumers.
 *
 * <p>Runs in {@code verify} by default.
 */
@Mojo(name = "check", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public final class CheckMojo extends AbstractMojo {

  /** The older document: the one consumers and producers were built against (the last release's, committed). */
  @Parameter(property = "omnibus.old", required = true)
  private @Nullable File old;

  /** The newer document; by default the export's output. */
  @Parameter(alias = "new", property = "omnibus.new", defaultValue = "${project.build.directory}/asyncapi.yaml")
  private File newDocument;

  /** The machine-readable report: every change with its path, kind and whom it breaks. */
  @Parameter(property = "omnibus.jsonReport", defaultValue = "${project.build.directory}/omnibus-compat.json")
  private File jsonReport;

  /** The report for people, one line per change. */
  @Parameter(property = "omnibus.textReport", defaultValue = "${project.build.directory}/omnibus-compat.txt")
  private File textReport;

  /** Whether a breaking change fails the build; with {@code false} it is only reported. */
  @Parameter(property = "omnibus.failOnBreaking", defaultValue = "true")
  private boolean failOnBreaking = true;

  /** Skips the check. */
  @Parameter(property = "omnibus.skip", defaultValue = "false")
  private boolean skip;

  /** The project's directory: the reports name the documents relative to it. */
  @Parameter(defaultValue = "${project.basedir}", readonly = true, required = true)
  private File basedir = new File(".");

  /** Filled in by Maven. */
  public CheckMojo() {
    this.newDocument = new File("target", "asyncapi.yaml");
    this.jsonReport = new File("target", "omnibus-compat.json");
    this.textReport = new File("target", "omnibus-compat.txt");
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("Omnibus compatibility check skipped");
      return;
    }
    File older = old;
    if (older == null || !older.isFile()) {
      throw new MojoFailureException("The old document " + older + " does not exist: commit the released AsyncAPI"
          + " document and point <old> at it (or skip the check with -Domnibus.skip for a first release)");
    }
    if (!newDocument.isFile()) {
      throw new MojoFailureException("The new document " + newDocument + " does not exist: run omnibus:export"
          + " before omnibus:check, or point <new> at the document to check");
    }
    CompatibilityReport report;
    try {
      report = new CompatibilityReport(name(older), name(newDocument),
          Contracts.compare(AsyncApiDocument.load(older.toPath()), AsyncApiDocument.load(newDocument.toPath())));
    } catch (EventBusException e) {
      throw new MojoFailureException(e.getMessage(), e);
    }
    write(jsonReport.toPath(), report.json());
    write(textReport.toPath(), report.text());
    for (Change change : report.changes()) {
      if (!change.breaking()) {
        getLog().info(change.toString());
      } else if (failOnBreaking) {
        getLog().error(change.toString());
      } else {
        getLog().warn(change.toString());
      }
    }
    getLog().info(report.summary() + " Reports: " + jsonReport + ", " + textReport);
    if (report.breaking() && failOnBreaking) {
      throw new MojoFailureException(report.newer() + " breaks " + report.older() + ": " + report.summary() + " See "
          + textReport + "; if the break is intended, release it as a new major version (and set"
          + " -Domnibus.failOnBreaking=false once)");
    }
  }

  /** The file's path relative to the project, when it is inside it ({@code /} as separator). */
  private String name(File file) {
    Path base = basedir.toPath().toAbsolutePath().normalize();
    Path path = file.toPath().toAbsolutePath().normalize();
    return (path.startsWith(base) ? base.relativize(path) : path).toString().replace(File.separatorChar, '/');
  }

  private static void write(Path file, String text) throws MojoExecutionException {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
