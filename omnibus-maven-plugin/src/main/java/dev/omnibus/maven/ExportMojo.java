package dev.omnibus.maven;

import dev.omnibus.EventBusException;
import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.contract.Contracts;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.jspecify.annotations.Nullable;

/**
 * Writes the AsyncAPI 3.0 document of the project's event types: the static {@code EventType} fields of the named
 * classes (or of every class of the named packages), read from the compiled classes and their compile classpath.
 * With a {@code document}, its servers, channel addresses, operations and message names are kept.
 *
 * <p>Runs after compilation ({@code process-classes}) by default.
 */
@Mojo(name = "export", defaultPhase = LifecyclePhase.PROCESS_CLASSES,
    requiresDependencyResolution = ResolutionScope.COMPILE, threadSafe = true)
public final class ExportMojo extends AbstractMojo {

  /** The classes holding the event types as static fields, or packages whose classes do. */
  @Parameter(property = "omnibus.eventTypes", required = true)
  private List<String> eventTypes = new ArrayList<>();

  /** The service's current AsyncAPI document (2.x or 3.0) to take servers, addresses and operations from. */
  @Parameter(property = "omnibus.document")
  private @Nullable File document;

  /** Where the exported document is written. */
  @Parameter(property = "omnibus.output", defaultValue = "${project.build.directory}/asyncapi.yaml")
  private File output;

  /** Skips the export. */
  @Parameter(property = "omnibus.skip", defaultValue = "false")
  private boolean skip;

  /** The compiled classes and the compile classpath. */
  @Parameter(defaultValue = "${project.compileClasspathElements}", readonly = true, required = true)
  private List<String> classpathElements = new ArrayList<>();

  /** Filled in by Maven. */
  public ExportMojo() {
    this.output = new File("target", "asyncapi.yaml");
  }

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("Omnibus export skipped");
      return;
    }
    if (eventTypes.isEmpty()) {
      throw new MojoFailureException("No eventTypes: name the classes (or packages) that hold the static EventType"
          + " fields, e.g. <eventTypes><eventType>com.example.orders.OrderEvents</eventType></eventTypes>");
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // Parent first: the project's classes see this plugin's Omnibus classes, so their EventType fields are ours.
    try (URLClassLoader loader = new URLClassLoader(urls(), getClass().getClassLoader())) {
      thread.setContextClassLoader(loader);
      List<EventType<?>> types = Contracts.eventTypes(loader, eventTypes);
      if (types.isEmpty()) {
        throw new MojoFailureException("No static EventType fields in " + String.join(", ", eventTypes)
            + ": name the classes (or packages) that declare them");
      }
      String yaml = document == null ? Contracts.export(types)
          : Contracts.export(AsyncApiDocument.load(document.toPath()), types);
      Path target = output.toPath();
      if (target.getParent() != null) {
        Files.createDirectories(target.getParent());
      }
      Files.writeString(target, yaml, StandardCharsets.UTF_8);
      getLog().info("Exported " + types.size() + " event type" + (types.size() == 1 ? "" : "s") + " to " + target);
    } catch (EventBusException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write " + output + ": " + e.getMessage(), e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private URL[] urls() throws MojoExecutionException {
    List<URL> urls = new ArrayList<>();
    for (String element : classpathElements) {
      try {
        urls.add(new File(element).toURI().toURL());
      } catch (MalformedURLException e) {
        throw new MojoExecutionException("Bad classpath element " + element, e);
      }
    }
    return urls.toArray(URL[]::new);
  }
}
