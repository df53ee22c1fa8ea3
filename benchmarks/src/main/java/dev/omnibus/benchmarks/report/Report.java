package dev.omnibus.benchmarks.report;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Writes a run's rows: {@code docs/benchmarks/results.json}, the plots {@code docs/benchmarks/ratios.png} and
 * {@code docs/benchmarks/latency.png}, and the results section of {@code docs/benchmarks.md} (between the markers
 * {@value #START} and {@value #END}; the rest of that page is written by hand).
 *
 * <p>A run of some sections ({@code --only=...}) merges into what is there: the rows of the sections it measured
 * replace theirs, the other sections' rows stay, each with the run (date, machine, load, notes) that measured it.
 * A row's or a note's section is the start of its name ({@link #sectionOf}).
 */
public final class Report {

  static final String START = "<!-- results:start -->";
  static final String END = "<!-- results:end -->";

  /** The runner's sections, in the order of the results. */
  public static final List<String> SECTIONS = List.of("jmh", "kafka", "rabbitmq", "mqtt", "memory", "observability",
      "outbox", "concurrency", "subscriptions", "requestreply");
  /** The sections whose latency rows are raw client against bus, drawn in the latency plot. */
  private static final Set<String> LATENCY_SECTIONS = Set.of("kafka", "rabbitmq", "mqtt", "memory");

  private Report() {}

  /** A latency figure of one broker, for the latency plot. */
  public record LatencyPoint(String broker, String percentile, double raw, double bus) {}

  /**
   * One run of the runner: the sections it measured that are still in the results, its environment, and its notes.
   *
   * @param sections the sections whose rows in the results come from this run
   * @param environment date, machine, load, settings, duration
   * @param notes what the reader should know about the run's figures
   */
  @JsonPropertyOrder({"sections", "environment", "notes"})
  public record Run(List<String> sections, Map<String, String> environment, List<String> notes) {}

  /**
   * What one section's JVM measured, handed to the runner that started it (which writes all sections as one run).
   *
   * @param sections the sections measured (a section that failed is not among them)
   * @param rows their rows
   * @param notes their notes
   */
  @JsonPropertyOrder({"sections", "rows", "notes"})
  public record Part(List<String> sections, List<Row> rows, List<String> notes) {}

  /** Writes a section JVM's part for the runner. */
  public static void writePart(Path file, Part part) throws IOException {
    Files.writeString(file, new ObjectMapper().writeValueAsString(part));
  }

  /** Reads what {@link #writePart} wrote. */
  public static Part readPart(Path file) throws IOException {
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    return new Part(strings(json.path("sections")), rows(json.path("rows")), strings(json.path("notes")));
  }

  /**
   * The section a row or note belongs to, from the start of its text: {@code outbox...}, {@code request/reply...}, {@code <broker>, metrics and
   * tracing...} or {@code observability...}, {@code kafka...}, {@code rabbitmq...}, {@code mqtt...},
   * {@code memory...}, {@code envelope...}, {@code payload...}, {@code in-memory...} or {@code jmh...}; else
   * {@code null} (a note about the whole run).
   */
  public static @Nullable String sectionOf(String text) {
    if (text.startsWith("outbox")) {
      return "outbox";
    }
    if (text.startsWith("concurrency")) {
      return "concurrency";
    }
    if (text.startsWith("subscriptions")) {
      return "subscriptions";
    }
    if (text.startsWith("request/reply")) {
      return "requestreply";
    }
    if (text.startsWith("observability") || text.matches("^[a-z0-9]+, metrics and tracing.*")) {
      return "observability";
    }
    for (String broker : List.of("kafka", "rabbitmq", "mqtt", "memory")) {
      if (text.startsWith(broker)) {
        return broker;
      }
    }
    for (String jmh : List.of("envelope", "payload", "in-memory", "jmh")) {
      if (text.startsWith(jmh)) {
        return "jmh";
      }
    }
    return null;
  }

  /** A row's section: {@link #sectionOf} its name, else {@code jmh} (a JMH benchmark reported as it is). */
  public static String sectionOfRow(Row row) {
    String section = sectionOf(row.benchmark());
    return section == null ? "jmh" : section;
  }

  /**
   * Draws the plots again from {@code docs/benchmarks/results.json} under the given root (default: the working
   * directory), e.g. after changing how they look: {@code java -cp benchmarks/target/benchmarks.jar
   * dev.omnibus.benchmarks.report.Report}.
   */
  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path dir = Path.of(args.length > 0 ? args[0] : ".").resolve("docs/benchmarks");
    List<Row> rows = readRows(new ObjectMapper().readTree(dir.resolve("results.json").toFile()));
    ratioPlot(rows, dir.resolve("ratios.png"));
    latencyPlot(latencyPoints(rows), dir.resolve("latency.png"));
  }

  /**
   * Merges a run into the results under {@code root}: the rows of {@code measured} sections are replaced by
   * {@code rows}, the others kept with their runs; then writes the JSON, the plots and the page's results section.
   *
   * @param root the project root (or the smoke test's output root)
   * @param measured the sections this run measured (a section that failed keeps its earlier rows)
   * @param rows this run's rows
   * @param environment this run's environment
   * @param notes this run's notes
   */
  public static void write(Path root, Set<String> measured, List<Row> rows, Map<String, String> environment,
      List<String> notes) throws IOException {
    Path dir = root.resolve("docs/benchmarks");
    Files.createDirectories(dir);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    List<Row> merged = new ArrayList<>(rows);
    List<Run> runs = new ArrayList<>();
    runs.add(new Run(SECTIONS.stream().filter(measured::contains).toList(), environment, notes));
    Path file = dir.resolve("results.json");
    if (Files.exists(file)) {
      JsonNode earlier = mapper.readTree(file.toFile());
      for (Row row : readRows(earlier)) {
        if (!measured.contains(sectionOfRow(row))) {
          merged.add(row);
        }
      }
      for (Run run : readRuns(earlier)) {
        List<String> kept = run.sections().stream().filter(section -> !measured.contains(section)).toList();
        if (!kept.isEmpty()) {
          runs.add(new Run(kept, run.environment(), run.notes().stream()
              .filter(note -> !measuredNote(measured, note)).toList()));
        }
      }
    }
    merged.sort(Comparator.comparingInt(row -> SECTIONS.indexOf(sectionOfRow(row))));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("results", merged);
    json.put("runs", runs);
    Files.writeString(file, mapper.writeValueAsString(json) + "\n");

    boolean ratios = ratioPlot(merged, dir.resolve("ratios.png"));
    boolean latencies = latencyPlot(latencyPoints(merged), dir.resolve("latency.png"));

    StringBuilder md = new StringBuilder();
    md.append(START).append('\n');
    for (Run run : runs) {
      Map<String, String> env = run.environment();
      md.append(runs.size() > 1 ? "**" + String.join(", ", run.sections()) + "**: run" : "Run").append(" of ")
          .append(env.getOrDefault("date", "?")).append(" — ")
          .append(env.getOrDefault("machine", "?")).append(". Load average before / after: ")
          .append(env.getOrDefault("load before", "?")).append(" / ")
          .append(env.getOrDefault("load after", "?")).append(" (1, 5, 15 min); peak of the 1-minute load during ")
          .append("the run: ").append(env.getOrDefault("load peak", "?")).append(". Duration: ")
          .append(env.getOrDefault("duration", "?")).append(".\n\n");
      for (String note : run.notes()) {
        md.append("> ").append(note).append("\n\n");
      }
    }
    md.append("| benchmark | unit | omnibus | baseline | ratio | target | |\n");
    md.append("|---|---|---:|---:|---:|---:|---|\n");
    for (Row row : merged) {
      Boolean met = row.met();
      md.append("| ").append(row.benchmark()).append(" | ").append(row.unit()).append(" | ")
          .append(format(row.omnibus())).append(" | ").append(format(row.baseline())).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", row.ratio())).append(" | ")
          .append(row.target() == null ? "" : String.format(Locale.ROOT, "≥ %.2f", row.target())).append(" | ")
          .append(met == null ? "" : met ? "met" : "**missed**").append(" |\n");
    }
    md.append('\n');
    if (ratios) {
      md.append("![Omnibus / baseline ratio per benchmark, with the targets](benchmarks/ratios.png)\n\n");
    }
    if (latencies) {
      md.append("![End-to-end latency at a fixed rate, raw client against the bus](benchmarks/latency.png)\n\n");
    }
    md.append(END).append('\n');

    Path page = root.resolve("docs/benchmarks.md");
    String existing = Files.exists(page) ? Files.readString(page, StandardCharsets.UTF_8) : "# Benchmarks\n\n";
    int start = existing.indexOf(START);
    int end = existing.indexOf(END);
    String updated = start >= 0 && end > start
        ? existing.substring(0, start) + md + existing.substring(end + END.length()).replaceFirst("^\n", "")
        : existing + (existing.endsWith("\n") ? "\n" : "\n\n") + md;
    Files.writeString(page, updated, StandardCharsets.UTF_8);
  }

  private static boolean measuredNote(Set<String> measured, String note) {
    String section = sectionOf(note);
    return section != null && measured.contains(section);
  }

  private static List<Row> readRows(JsonNode json) {
    return rows(json.path("results"));
  }

  private static List<Row> rows(JsonNode array) {
    List<Row> rows = new ArrayList<>();
    for (JsonNode node : array) {
      rows.add(new Row(node.get("benchmark").asText(), node.get("unit").asText(), node.get("omnibus").asDouble(),
          node.get("baseline").asDouble(), node.get("ratio").asDouble(),
          node.path("target").isNumber() ? node.get("target").asDouble() : null));
    }
    return rows;
  }

  /** The runs of a results file; one written before runs were recorded is one run of the sections of its rows. */
  private static List<Run> readRuns(JsonNode json) {
    List<Run> runs = new ArrayList<>();
    if (json.has("runs")) {
      for (JsonNode run : json.get("runs")) {
        runs.add(new Run(strings(run.path("sections")), environment(run.path("environment")),
            strings(run.path("notes"))));
      }
    } else if (json.has("environment")) {
      List<String> sections = readRows(json).stream().map(Report::sectionOfRow).distinct().toList();
      runs.add(new Run(sections, environment(json.get("environment")), strings(json.path("notes"))));
    }
    return runs;
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static Map<String, String> environment(JsonNode object) {
    Map<String, String> values = new LinkedHashMap<>();
    object.fields().forEachRemaining(field -> values.put(field.getKey(), field.getValue().asText()));
    return values;
  }

  /** The raw-against-bus latency rows of the broker sections: {@code <broker> latency <percentile> ...}. */
  private static List<LatencyPoint> latencyPoints(List<Row> rows) {
    List<LatencyPoint> latency = new ArrayList<>();
    for (Row row : rows) {
      int at = row.benchmark().indexOf(" latency ");
      if (row.unit().equals("ms") && at > 0 && LATENCY_SECTIONS.contains(sectionOfRow(row))) {
        String percentile = row.benchmark().substring(at + " latency ".length()).split(" ")[0];
        latency.add(new LatencyPoint(row.benchmark().substring(0, at), percentile, row.baseline(), row.omnibus()));
      }
    }
    return latency;
  }

  private static String format(double value) {
    if (Math.abs(value) >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    return String.format(Locale.ROOT, "%.2f", value);
  }

  // XChart 4 deprecates its IChart-typed encoders without a replacement for a chart of a concrete type yet.
  @SuppressWarnings("deprecation")
  private static boolean ratioPlot(List<Row> rows, Path file) throws IOException {
    List<String> names = new ArrayList<>();
    List<Number> ratios = new ArrayList<>();
    List<Number> targets = new ArrayList<>();
    for (Row row : rows) {
      if (row.target() != null) {
        names.add(shortName(row.benchmark()));
        ratios.add(row.ratio());
        targets.add(row.target());
      }
    }
    if (names.isEmpty()) {
      return false;
    }
    CategoryChart chart = new CategoryChartBuilder().width(1000).height(520)
        .title("Omnibus / baseline, same run (higher is better)").yAxisTitle("ratio").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisLabelRotation(20);
    chart.getStyler().setYAxisMin(0.0);
    chart.addSeries("omnibus / baseline", names, ratios);
    chart.addSeries("target", names, targets);
    Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    return true;
  }

  @SuppressWarnings("deprecation")
  private static boolean latencyPlot(List<LatencyPoint> points, Path file) throws IOException {
    if (points.isEmpty()) {
      return false;
    }
    List<String> names = new ArrayList<>();
    List<Number> raw = new ArrayList<>();
    List<Number> bus = new ArrayList<>();
    for (LatencyPoint point : points) {
      names.add(point.broker().replace(", bus in structured mode", " (structured)") + " " + point.percentile());
      raw.add(Math.max(0.001, point.raw()));
      bus.add(Math.max(0.001, point.bus()));
    }
    CategoryChart chart = new CategoryChartBuilder().width(1300).height(600)
        .title("End-to-end latency at 2,000 events/s (lower is better)").yAxisTitle("ms (log)").build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setXAxisLabelRotation(60);
    chart.getStyler().setYAxisLogarithmic(true);
    // Bars start at the axis minimum; on a log axis it must be above zero.
    chart.getStyler().setYAxisMin(0.01);
    chart.addSeries("baseline", names, raw);
    chart.addSeries("omnibus", names, bus);
    Files.write(file, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    return true;
  }

  private static String shortName(String benchmark) {
    int paren = benchmark.indexOf(" (");
    return paren < 0 ? benchmark : benchmark.substring(0, paren);
  }
}
