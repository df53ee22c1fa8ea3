package dev.omnibus.contract;

import dev.omnibus.EventBusException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Compares two versions of an AsyncAPI document (see {@link Contracts#compare}) and prints each change, breaking
 * ones marked {@code BREAKING} with whom they break: {@code CompatCommand <old> <new>} (the text of
 * {@link CompatibilityReport#text()}). Exit status 0 when nothing breaks, 1 when
 * something does, 2 when the arguments or a document are wrong.
 */
public final class CompatCommand {

  private CompatCommand() {}

  /** Runs the command and exits with its status. */
  public static void main(String[] args) {
    int status = run(args, new PrintStream(System.out, true, StandardCharsets.UTF_8),
        new PrintStream(System.err, true, StandardCharsets.UTF_8));
    if (status != 0) {
      System.exit(status);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println("usage: CompatCommand <old asyncapi document> <new asyncapi document>");
      return 2;
    }
    CompatibilityReport report;
    try {
      report = CompatibilityReport.compare(Path.of(args[0]), Path.of(args[1]));
    } catch (EventBusException e) {
      err.println(e.getMessage());
      return 2;
    }
    out.print(report.text());
    return report.breaking() ? 1 : 0;
  }
}
