package dev.omnibus.cli;

import dev.omnibus.EventBusException;
import dev.omnibus.EventType;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.contract.CompatibilityReport;
import dev.omnibus.contract.Contracts;
import dev.omnibus.docs.AsyncApiDocs;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The contract tools for builds without Maven: {@code java -jar omnibus-cli.jar export ...} writes the AsyncAPI
 * document of event types, {@code java -jar omnibus-cli.jar check OLD NEW} reports the changes between two
 * documents, {@code java -jar omnibus-cli.jar docs DOCUMENT} writes its documentation page. Exit status 0 when all is well, 1 when {@code check} finds a breaking change, 2 when the arguments, a
 * document or a class are wrong. {@code --help} says the rest.
 */
public final class OmnibusCli {

  static final int OK = 0;
  static final int BREAKING = 1;
  static final int USAGE = 2;

  static final String USAGE_TEXT = """
      usage: java -jar omnibus-cli.jar <command> [options]

      export [--classpath PATH] [--document FILE] [--output FILE] CLASS_OR_PACKAGE...
          Writes the AsyncAPI 3.0 document of the static EventType fields of the classes (or of every class of
          the packages).
          --classpath PATH  where those classes are: directories and jars separated by '%1$s' (the default is
                            the current directory)
          --document FILE   the service's AsyncAPI document, to keep its servers, addresses and operations
          --output FILE     where to write the document (the default is the standard output)

      check [--json FILE] [--text FILE] [--no-fail] OLD NEW
          Compares two versions of an AsyncAPI document and prints every change, marked BREAKING (producers),
          BREAKING (consumers), BREAKING (both) or ok.
          --json FILE  also writes the JSON report there ('-' prints it instead of the text)
          --text FILE  also writes the text report there
          --no-fail    exits with 0 even when a change is breaking

      docs [--out DIR] [--validation MODE] DOCUMENT
          Writes the documentation of an AsyncAPI document: index.html (one self-contained page) and index.md,
          with what Omnibus does on each server (ordering, retries, dead letters, concurrency, validation).
          --out DIR          where to write them (the default is asyncapi-docs)
          --validation MODE  the payload validation of the service's bus: enforce (the default), warn or off

      Exit status: 0 ok, 1 a breaking change (check), 2 wrong arguments, document or class.
      What breaks and why: docs/contracts.md in the Omnibus sources.
      """.formatted(File.pathSeparator);

  private OmnibusCli() {}

  /** Runs the command and exits with its status. */
  public static void main(String[] args) {
    int status = run(args, new PrintStream(System.out, true, StandardCharsets.UTF_8),
        new PrintStream(System.err, true, StandardCharsets.UTF_8));
    if (status != OK) {
      System.exit(status);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE_TEXT);
      return USAGE;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    if (rest.contains("--help") || rest.contains("-h")) {
      out.print(USAGE_TEXT);
      return OK;
    }
    try {
      return switch (args[0]) {
        case "--help", "-h", "help" -> {
          out.print(USAGE_TEXT);
          yield OK;
        }
        case "export" -> export(Options.parse(rest, List.of("--classpath", "--document", "--output"), List.of()),
            out, err);
        case "check" -> check(Options.parse(rest, List.of("--json", "--text"), List.of("--no-fail")), out, err);
        case "docs" -> docs(Options.parse(rest, List.of("--out", "--validation"), List.of()), err);
        default -> throw new UsageException("unknown command '" + args[0] + "'");
      };
    } catch (UsageException e) {
      err.println("omnibus: " + e.getMessage());
      err.print(USAGE_TEXT);
      return USAGE;
    } catch (EventBusException | UncheckedIOException e) {
      err.println("omnibus: " + e.getMessage());
      return USAGE;
    }
  }

  private static int export(Options options, PrintStream out, PrintStream err) {
    if (options.arguments().isEmpty()) {
      throw new UsageException("export needs at least one class or package");
    }
    String classpath = options.value("--classpath");
    List<URL> urls = new ArrayList<>();
    for (String element : (classpath == null ? "." : classpath).split(File.pathSeparator)) {
      if (!element.isEmpty()) {
        urls.add(url(element));
      }
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // Parent first: the classes see this jar's Omnibus, so their EventType fields are the ones Contracts reads.
    try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), OmnibusCli.class.getClassLoader())) {
      thread.setContextClassLoader(loader);
      List<EventType<?>> types = Contracts.eventTypes(loader, options.arguments());
      if (types.isEmpty()) {
        err.println("omnibus: no static EventType fields in " + String.join(", ", options.arguments()));
        return USAGE;
      }
      String document = options.value("--document");
      String yaml = document == null ? Contracts.export(types)
          : Contracts.export(AsyncApiDocument.load(Path.of(document)), types);
      String output = options.value("--output");
      if (output == null) {
        out.print(yaml);
      } else {
        write(Path.of(output), yaml);
        err.println("Exported " + types.size() + " event type" + (types.size() == 1 ? "" : "s") + " to " + output);
      }
      return OK;
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private static int check(Options options, PrintStream out, PrintStream err) {
    if (options.arguments().size() != 2) {
      throw new UsageException("check needs two documents, OLD and NEW");
    }
    CompatibilityReport report = CompatibilityReport.compare(Path.of(options.arguments().get(0)),
        Path.of(options.arguments().get(1)));
    String json = options.value("--json");
    if ("-".equals(json)) {
      out.print(report.json());
    } else {
      out.print(report.text());
      if (json != null) {
        write(Path.of(json), report.json());
      }
    }
    String text = options.value("--text");
    if (text != null) {
      write(Path.of(text), report.text());
    }
    return report.breaking() && !options.flag("--no-fail") ? BREAKING : OK;
  }

  private static int docs(Options options, PrintStream err) {
    if (options.arguments().size() != 1) {
      throw new UsageException("docs needs one AsyncAPI document");
    }
    String validation = options.value("--validation");
    ValidationMode mode;
    try {
      mode = validation == null ? ValidationMode.ENFORCE
          : ValidationMode.valueOf(validation.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--validation must be enforce, warn or off, not '" + validation + "'");
    }
    String out = options.value("--out");
    List<Path> files = AsyncApiDocs.of(AsyncApiDocument.load(Path.of(options.arguments().get(0)))).validation(mode)
        .write(Path.of(out == null ? "asyncapi-docs" : out));
    err.println("Wrote " + files.get(0) + " and " + files.get(1));
    return OK;
  }

  private static URL url(String element) {
    try {
      return Path.of(element).toUri().toURL();
    } catch (MalformedURLException e) {
      throw new UsageException("bad classpath element '" + element + "'");
    }
  }

  private static void write(Path file, String text) {
    try {
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Options with a value, flags, and the remaining arguments, in order. */
  private record Options(List<String> pairs, List<String> flags, List<String> arguments) {

    static Options parse(List<String> args, List<String> withValue, List<String> flagNames) {
      List<String> pairs = new ArrayList<>();
      List<String> flags = new ArrayList<>();
      List<String> arguments = new ArrayList<>();
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (withValue.contains(arg)) {
          if (i + 1 == args.size()) {
            throw new UsageException(arg + " needs a value");
          }
          pairs.add(arg);
          pairs.add(args.get(++i));
        } else if (flagNames.contains(arg)) {
          flags.add(arg);
        } else if (arg.startsWith("--")) {
          throw new UsageException("unknown option '" + arg + "'");
        } else {
          arguments.add(arg);
        }
      }
      return new Options(List.copyOf(pairs), List.copyOf(flags), List.copyOf(arguments));
    }

    @Nullable String value(String name) {
      String value = null;
      for (int i = 0; i < pairs.size(); i += 2) {
        if (pairs.get(i).equals(name)) {
          value = pairs.get(i + 1);
        }
      }
      return value;
    }

    boolean flag(String name) {
      return flags.contains(name);
    }
  }

  /** Wrong arguments: the message, then the usage. */
  private static final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
