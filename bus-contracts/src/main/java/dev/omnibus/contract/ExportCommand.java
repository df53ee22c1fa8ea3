package dev.omnibus.contract;

import dev.omnibus.EventBusException;
import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Prints the AsyncAPI 3.0 document of a service's event types (see {@link Contracts#export}):
 * {@code ExportCommand <document|-> <class>...}, where each class holds the event types as static
 * {@link EventType} fields and {@code -} means no document (no servers, channel ids as addresses). Exit status 0,
 * or 2 when the arguments, the document or a class are wrong.
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
      err.println("usage: ExportCommand <asyncapi document | -> <class with static EventType fields>...");
      return 2;
    }
    try {
      List<EventType<?>> types = new ArrayList<>();
      for (String className : Arrays.asList(args).subList(1, args.length)) {
        types.addAll(eventTypes(className));
      }
      if (types.isEmpty()) {
        err.println("no static EventType fields in " + String.join(", ", Arrays.asList(args).subList(1,
            args.length)));
        return 2;
      }
      out.print(args[0].equals("-") ? Contracts.export(types)
          : Contracts.export(AsyncApiDocument.load(Path.of(args[0])), types));
      return 0;
    } catch (EventBusException | ClassNotFoundException | IllegalAccessException e) {
      err.println(e.getMessage());
      return 2;
    }
  }

  private static List<EventType<?>> eventTypes(String className)
      throws ClassNotFoundException, IllegalAccessException {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    Class<?> holder = Class.forName(className, true, loader != null ? loader : ExportCommand.class.getClassLoader());
    List<Field> fields = new ArrayList<>(Arrays.asList(holder.getDeclaredFields()));
    fields.sort(Comparator.comparing(Field::getName));
    List<EventType<?>> types = new ArrayList<>();
    for (Field field : fields) {
      if (Modifier.isStatic(field.getModifiers()) && EventType.class.isAssignableFrom(field.getType())) {
        field.setAccessible(true);
        Object value = field.get(null);
        if (value != null) {
          types.add((EventType<?>) value);
        }
      }
    }
    return types;
  }
}
