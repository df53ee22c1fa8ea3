package dev.omnibus.contract;

import dev.omnibus.EventBusException;
import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Prints the AsyncAPI 3.0 document of a service's event types (see {@link Contracts#export}):
 * {@code ExportCommand <document|-> <class|package>...}, where each class (or each class of a package) holds
 * the event types as static {@link EventType} fields and {@code -} means no document (no servers, channel ids as
 * addresses). Exit status 0, or 2 when the arguments, the document or a class are wrong.
 */
public final class ExportCommand {

  private ExportCommand() {}

  /** Runs the command and exits with its status. */
  public static void main(String[] args) {
    int status = run(args, new PrintStream(System.out, true, StandardCharsets.UTF_8),
        new PrintStream(System.err, true, StandardCharsets.UTF_8));
    if (status != 0) {
      System.exit(status);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 2) {
      err.println("usage: ExportCommand <asyncapi document | -> <class or package with static EventType fields>...");
      return 2;
    }
    try {
      List<String> names = Arrays.asList(args).subList(1, args.length);
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      List<EventType<?>> types = Contracts.eventTypes(loader != null ? loader : ExportCommand.class.getClassLoader(),
          names);
      if (types.isEmpty()) {
        err.println("no static EventType fields in " + String.join(", ", names));
        return 2;
      }
      out.print(args[0].equals("-") ? Contracts.export(types)
          : Contracts.export(AsyncApiDocument.load(Path.of(args[0])), types));
      return 0;
    } catch (EventBusException e) {
      err.println(e.getMessage());
      return 2;
    }
  }
}
