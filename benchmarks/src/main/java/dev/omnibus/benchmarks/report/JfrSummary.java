package dev.omnibus.benchmarks.report;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Summarises the {@code jdk.ExecutionSample} events of a JFR recording to its top frames, as {@code jfr print --events
 * jdk.ExecutionSample} would after counting: the methods most often on top of the stack (self), the methods of
 * Omnibus, the CloudEvents SDK and Jackson most often anywhere in it (inclusive, once per sample), and the packages
 * of the top frames.
 *
 * <p>Also a command: {@code java -cp benchmarks/target/benchmarks.jar dev.omnibus.benchmarks.report.JfrSummary
 * recording.jfr}.
 */
public final class JfrSummary {

  private static final List<String> OWN_PREFIXES = List.of("dev.omnibus.", "io.cloudevents.", "com.fasterxml.");

  private JfrSummary() {}

  public static void main(String[] args) throws IOException {
    System.out.print(summarise(Path.of(args[0]), "recording " + args[0], time -> true, 30));
  }

  /** The summary of the samples taken at the instants {@code when} accepts. */
  public static String summarise(Path recording, String title, Predicate<Instant> when, int top) throws IOException {
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    Map<String, Integer> packages = new HashMap<>();
    Map<String, Integer> threads = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample") || !when.test(event.getStartTime())) {
        continue;
      }
      RecordedStackTrace stack = event.getStackTrace();
      if (stack == null || stack.getFrames().isEmpty()) {
        continue;
      }
      samples++;
      var thread = event.getThread("sampledThread");
      threads.merge(thread == null ? "?" : threadGroup(thread.getJavaName()), 1, Integer::sum);
      List<RecordedFrame> frames = stack.getFrames();
      RecordedFrame top1 = frames.get(0);
      self.merge(name(top1), 1, Integer::sum);
      packages.merge(packageOf(top1), 1, Integer::sum);
      Set<String> seen = new HashSet<>();
      for (RecordedFrame frame : frames) {
        String name = name(frame);
        if (OWN_PREFIXES.stream().anyMatch(name::startsWith) && seen.add(name)) {
          inclusive.merge(name, 1, Integer::sum);
        }
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("# ").append(title).append('\n');
    out.append("execution samples: ").append(samples).append("\n\n");
    append(out, "top frames (self)", self, samples, top);
    append(out, "Omnibus / CloudEvents SDK / Jackson frames anywhere on the stack (inclusive)", inclusive, samples,
        top);
    append(out, "packages of the top frame", packages, samples, 15);
    append(out, "threads (numbers stripped)", threads, samples, 15);
    return out.toString();
  }

  private static void append(StringBuilder out, String heading, Map<String, Integer> counts, int samples, int top) {
    out.append("## ").append(heading).append('\n');
    Map<String, Integer> sorted = counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .limit(top)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
    sorted.forEach((name, count) -> out.append(String.format("%6.1f%%  %6d  %s%n",
        samples == 0 ? 0 : 100.0 * count / samples, count, name)));
    out.append('\n');
  }

  private static String name(RecordedFrame frame) {
    var method = frame.getMethod();
    return method.getType().getName() + "." + method.getName();
  }

  private static String packageOf(RecordedFrame frame) {
    String type = frame.getMethod().getType().getName();
    int dot = type.lastIndexOf('.');
    return dot < 0 ? "" : type.substring(0, dot);
  }

  private static String threadGroup(String name) {
    return name == null ? "?" : name.replaceAll("\\d+", "#");
  }
}
