package dev.omnibus.maven;

import dev.omnibus.EventBusException;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.docs.AsyncApiDocs;
import java.io.File;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Writes the documentation of the service's AsyncAPI document: one self-contained HTML page and a Markdown file
 * ({@code index.html} and {@code index.md}) with its servers, channels, operations and messages (example payloads,
 * schemas as tables, bindings in words) and what Omnibus does on each server (ordering key, retries, dead letter
 * channel, concurrency, validation). {@code mvn omnibus:docs} runs it on its own; bound in a build it runs in
 * {@code prepare-package} by default.
 */
@Mojo(name = "docs", defaultPhase = LifecyclePhase.PREPARE_PACKAGE, threadSafe = true)
public final class DocsMojo extends AbstractMojo {

  /** The AsyncAPI document (2.x or 3.x). */
  @Parameter(property = "omnibus.document", defaultValue = "${project.basedir}/src/main/resources/asyncapi.yaml")
  private File document;

  /** Where {@code index.html} and {@code index.md} are written. */
  @Parameter(property = "omnibus.docs.output", defaultValue = "${project.build.directory}/asyncapi-docs")
  private File outputDirectory;

  /** The payload validation the service's bus is built with: {@code enforce} (the default), {@code warn} or {@code off}. */
  @Parameter(property = "omnibus.validation", defaultValue = "enforce")
  private String validation = "enforce";

  /** Skips the documentation. */
  @Parameter(property = "omnibus.skip", defaultValue = "false")
  private boolean skip;

  /** Filled in by Maven. */
  public DocsMojo() {
    this.document = new File("src/main/resources", "asyncapi.yaml");
    this.outputDirectory = new File("target", "asyncapi-docs");
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("Omnibus docs skipped");
      return;
    }
    ValidationMode mode;
    try {
      mode = ValidationMode.valueOf(validation.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new MojoFailureException("validation must be enforce, warn or off, not '" + validation + "'");
    }
    try {
      List<Path> files = AsyncApiDocs.of(AsyncApiDocument.load(document.toPath())).validation(mode)
          .write(outputDirectory.toPath());
      getLog().info("Wrote the documentation of " + document + " to " + files.get(0) + " and "
          + files.get(1).getFileName());
    } catch (EventBusException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new MojoExecutionException(e.getMessage(), e);
    }
  }
}
