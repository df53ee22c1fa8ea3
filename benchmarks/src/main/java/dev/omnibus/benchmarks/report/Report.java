package dev.omnibus.benchmarks.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Writes a run's rows: {@code docs/benchmarks/results.json}, the plots {@code docs/benchmarks/ratios.png} and
 * {@code docs/benchmarks/latency.png}, and the results section of {@code docs/benchmarks.md} (between the markers
 * {@value #START} and {@value #END}; the rest of that page is written by hand).
 */
public final class Report {

  static final String START = "<!-- results:start -->";
  static final String END = "<!-- results:end -->";

  private Report() {}

  /** A latency figure of one broker, for the latency plot. */
  public record LatencyPoint(String broker, String percentile, double raw, double bus) {}

  /**
   * Draws the plots again from {@code docs/benchmarks/results.json} under the given root (default: the working
   * directory), e.g. after changing how they look: {@code java -cp benchmarks/target/benchmarks.jar
   * dev.omnibus.benchmarks.report.Report}.
   */
  public static void main(String[] args) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Path dir = Path.of(args.length > 0 ? args[0] : ".").resolve("docs/benchmarks");
    var results = new ObjectMapper().readTree(dir.resolve("results.json").toFile()).get("results");
    List<Row> rows = new ArrayList<>();
    List<LatencyPoint> latency = new ArrayList<>();
    for (var node : results) {
      Row row = new Row(node.get("benchmark").asText(), node.get("unit").asText(), node.get("omnibus").asDouble(),
          node.get("baseline").asDouble(), node.get("ratio").asDouble(),
          node.get("target").isNull() ? null : node.get("target").asDouble());
      rows.add(row);
      int at = row.benchmark().indexOf(" latency ");
      if (row.unit().equals("ms") && at > 0) {
        String percentile = row.benchmark().substring(at + " latency ".length()).split(" ")[0];
        latency.add(new LatencyPoint(row.benchmark().substring(0, at), percentile, row.baseline(), row.omnibus()));
      }
    }
    ratioPlot(rows, dir.resolve("ratios.png"));
    latencyPlot(latency, dir.resolve("latency.png"));
  }

  public static void write(Path root, List<Row> rows, List<LatencyPoint> latency, Map<String, String> environment,
      List<String> notes) throws IOException {
    Path dir = root.resolve("docs/benchmarks");
    Files.createDirectories(dir);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("results", rows);
    json.put("environment", environment);
    json.put("notes", notes);
    Files.writeString(dir.resolve("results.json"), mapper.writeValueAsString(json) + "\n");

    boolean ratios = ratioPlot(rows, dir.resolve("ratios.png"));
    boolean latencies = latencyPlot(latency, dir.resolve("latency.png"));

    StringBuilder md = new StringBuilder();
    md.append(START).append('\n');
    md.append("Run of ").append(environment.getOrDefault("date", "?")).append(" — ")
        .append(environment.getOrDefault("machine", "?")).append(". Load average before / after: ")
        .append(environment.getOrDefault("load before", "?")).append(" / ")
        .append(environment.getOrDefault("load after", "?")).append(" (1, 5, 15 min); peak of the 1-minute load during ")
        .append("the run: ").append(environment.getOrDefault("load peak", "?")).append(". Duration: ")
        .append(environment.getOrDefault("duration", "?")).append(".\n\n");
    for (String note : notes) {
      md.append("> ").append(note).append("\n\n");
    }
    md.append("| benchmark | unit | omnibus | baseline | ratio | target | |\n");
    md.append("|---|---|---:|---:|---:|---:|---|\n");
    for (Row row : rows) {
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
