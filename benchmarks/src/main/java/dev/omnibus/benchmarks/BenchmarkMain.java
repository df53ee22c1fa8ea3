package dev.omnibus.benchmarks;

import dev.omnibus.benchmarks.concurrency.SlowHandlerSection;
import dev.omnibus.benchmarks.concurrency.SubscriptionCostSection;
import dev.omnibus.benchmarks.loopback.BrokerSections;
import dev.omnibus.benchmarks.loopback.LoopbackRunner.BrokerResult;
import dev.omnibus.benchmarks.loopback.LoopbackRunner.Latency;
import dev.omnibus.benchmarks.loopback.LoopbackRunner;
import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.outbox.OutboxSection;
import dev.omnibus.benchmarks.requestreply.RequestReplySection;
import dev.omnibus.benchmarks.report.JfrSummary;
import dev.omnibus.benchmarks.report.Report;
import dev.omnibus.benchmarks.report.Row;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every benchmark and writes the results: JMH (envelope, in-memory) with short settings, then the loopback runner
 * on Kafka, RabbitMQ, Mosquitto and memory, then what metrics and tracing cost (in memory and on Kafka, on against
 * off), then the transactional outbox's relay against direct publishes (PostgreSQL; in memory, on Kafka and RabbitMQ),
 * then a 1 ms handler at concurrency 16 against 1 and the cost of 10 to 1,000 subscriptions (every binding), then
 * {@code docs/benchmarks/results.json}, the plots and the results section of {@code docs/benchmarks.md}: the
 * sections run replace their rows there, the others' stay. Each section runs in a JVM of its own with a fixed heap
 * ({@code Run.eachSectionInItsOwnJvm}); a JVM started with {@code -Xms} runs them all in itself.
 *
 * <p>Options: {@code --quick} (a smoke test of the harness in about a minute, written under
 * {@code benchmarks/target/quick/} unless {@code --out} is given),
 * {@code --only=jmh,kafka,rabbitmq,mqtt,memory,observability,outbox,concurrency,subscriptions,requestreply} (merged into the
 * results already there),
 * {@code --out=<project root>} (default: found from the jar's location), {@code --profile} (JFR recordings,
 * summarised to top frames in {@code docs/benchmarks/profiles/}; profiles distort the numbers, so a profiling run is
 * not a measuring run), {@code --events=<n>} (orders per Kafka throughput round; the others scale from it: the
 * outbox section's rounds have {@code events / 20}), {@code --jmh=<regex>} (only these JMH benchmarks, reported as they
 * are: for profiling).
 */
public final class BenchmarkMain {

  private static final List<String> SECTIONS = Report.SECTIONS;
  private static final String PREFIX = "dev.omnibus.benchmarks.";

  /** The heap of the measuring JVM, initial and maximum alike: see {@link #fixedHeapCommand}. */
  static final String HEAP = "2g";

  private BenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
        System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    System.setProperty("java.awt.headless", "true");
    boolean quick = false;
    boolean profile = false;
    Path out = null;
    Path part = null;
    int events = 200_000;
    String jmhFilter = null;
    Set<String> only = new LinkedHashSet<>(SECTIONS);
    for (String arg : args) {
      if (arg.equals("--quick")) {
        quick = true;
      } else if (arg.equals("--profile")) {
        profile = true;
      } else if (arg.startsWith("--only=")) {
        only = new LinkedHashSet<>(List.of(arg.substring("--only=".length()).split(",")));
        if (!SECTIONS.containsAll(only)) {
          throw new IllegalArgumentException("--only takes " + SECTIONS + ", was " + only);
        }
      } else if (arg.startsWith("--out=")) {
        out = Path.of(arg.substring("--out=".length()));
      } else if (arg.startsWith("--jmh=")) {
        jmhFilter = arg.substring("--jmh=".length());
      } else if (arg.startsWith("--events=")) {
        events = Integer.parseInt(arg.substring("--events=".length()));
      } else if (arg.startsWith(PART)) {
        part = Path.of(arg.substring(PART.length()));
      } else {
        throw new IllegalArgumentException("unknown option " + arg + "; options: --quick --profile --only=<"
            + String.join(",", SECTIONS) + "> --out=<project root> --events=<n>");
      }
    }
    Path root = projectRoot();
    if (out == null) {
      // A smoke test or a profiling run does not give numbers to publish: keep them out of docs/.
      out = quick ? root.resolve("benchmarks/target/quick") : profile ? root.resolve("benchmarks/target/profile") : root;
    }
    Path profiles = root.resolve("benchmarks/target/profiles");
    Path summaries = (quick ? out : root).resolve("docs/benchmarks/profiles");
    Run run = new BenchmarkMain.Run(quick, profile, only, out, profiles, summaries, events, jmhFilter);
    if (part != null) {
      run.measurePart(part);
    } else if (givenInitialHeap()) {
      run.inThisJvm();
    } else {
      run.eachSectionInItsOwnJvm(args);
    }
  }

  /** The option by which the runner asks a section's JVM to write its rows and notes to a file, not to docs/. */
  private static final String PART = "--part=";

  private static boolean givenInitialHeap() {
    return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .anyMatch(option -> option.startsWith("-Xms"));
  }

  /**
   * The command that runs this class in a JVM of its own with a fixed heap of {@value #HEAP}, with this JVM's other
   * options (an agent, system properties) and the given arguments. With the default heap (a sixty-fourth of the
   * machine's memory to start with, 232 MB on a 24 GB machine) the collector gave memory back after the collection a
   * run starts from and grew the heap again during the run, faulting fresh pages in: 13-19% of the client threads' CPU
   * in the kafka section, and most on the side that allocates most, the bus (memory section: 0.54 with the default
   * heap, 0.66 with a fixed one, in back-to-back runs). A fixed heap is also how a service is run.
   */
  private static List<String> fixedHeapCommand(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + HEAP);
    command.add("-Xmx" + HEAP);
    java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(option -> !option.startsWith("-Xmx")).forEach(command::add);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchmarkMain.class.getName()));
    command.addAll(args);
    return command;
  }

  /** Runs the command with this JVM's input and output, stopping it if this JVM is stopped; returns its exit code. */
  private static int runChild(List<String> command) throws IOException, InterruptedException {
    Process child = new ProcessBuilder(command).inheritIO().start();
    Thread stop = new Thread(child::destroy, "benchmarks-stop");
    Runtime.getRuntime().addShutdownHook(stop);
    try {
      return child.waitFor();
    } finally {
      Runtime.getRuntime().removeShutdownHook(stop);
    }
  }

  private record Run(boolean quick, boolean profile, Set<String> only, Path out, Path profiles, Path summaries,
      int events,
      @Nullable String jmhFilter) {

    /**
     * Runs each section asked for in a JVM of its own, one after the other, each with a fixed heap
     * ({@link #fixedHeapCommand}), and writes their rows as one run. In one JVM for all, a section measured the JIT
     * state the sections before it left: the bus's dispatch, envelope and transport calls are shared by every
     * binding, and their call sites' type profiles carried the bindings measured before (the memory section gave
     * 0.685-0.74 alone and 0.63-0.71 after the broker sections, with 0.3 µs more CPU per event on the bus's side).
     * Separate JVMs, as JMH forks its benchmarks and as a service runs one binding, take the sections' order out of
     * the numbers.
     */
    void eachSectionInItsOwnJvm(String[] args) throws Exception {
      Session session = Session.start(quick, "each section in a JVM of its own with a fixed heap of " + HEAP);
      List<String> passed = Stream.of(args).filter(arg -> !arg.startsWith("--only=")).toList();
      List<Row> rows = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      Set<String> measured = new LinkedHashSet<>();
      Path parts = Files.createTempDirectory("omnibus-benchmarks");
      try {
        for (String section : only) {
          Path part = parts.resolve(section + ".json");
          List<String> sectionArgs = new ArrayList<>(passed);
          sectionArgs.add("--only=" + section);
          sectionArgs.add(PART + part);
          int exit = runChild(fixedHeapCommand(sectionArgs));
          if (exit != 0 || !Files.exists(part)) {
            System.out.println("[" + section + "] its JVM exited with " + exit + " without results");
            notes.add(section + ": not measured in this run (its JVM exited with " + exit + ").");
            continue;
          }
          Report.Part result = Report.readPart(part);
          rows.addAll(result.rows());
          notes.addAll(result.notes());
          measured.addAll(result.sections());
        }
      } finally {
        deleteTree(parts);
      }
      session.finish(out, measured, rows, notes);
    }

    /** Runs every section asked for in this JVM (one started with {@code -Xms} by its user), then writes them. */
    void inThisJvm() throws Exception {
      Session session = Session.start(quick, (Runtime.getRuntime().maxMemory() >> 20)
          + " MB, initial size given, every section in this JVM");
      List<Row> rows = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      Set<String> measured = new LinkedHashSet<>();
      measure(rows, notes, measured);
      session.finish(out, measured, rows, notes);
    }

    /** Runs the sections asked for in this JVM and writes their rows and notes to {@code part} for the runner. */
    void measurePart(Path part) throws Exception {
      checkSamePayloadBytes();
      List<Row> rows = new ArrayList<>();
      List<String> notes = new ArrayList<>();
      Set<String> measured = new LinkedHashSet<>();
      measure(rows, notes, measured);
      Report.writePart(part, new Report.Part(List.copyOf(measured), rows, notes));
    }

    private void measure(List<Row> rows, List<String> notes, Set<String> measured) throws Exception {
      if (only.contains("jmh")) {
        jmh(rows);
        measured.add("jmh");
      }
      LoopbackRunner.Settings settings = quick ? LoopbackRunner.Settings.quick() : LoopbackRunner.Settings.full(events);
      LoopbackRunner runner = new LoopbackRunner(settings);
      String rate = String.format(Locale.ROOT, "%,d/s", settings.latencyRate());
      LoopbackRunner rabbitRunner = new LoopbackRunner(quick ? LoopbackRunner.Settings.quick()
          : LoopbackRunner.Settings.full(Math.max(2_000, events * 3 / 20)));
      BrokerSections sections = new BrokerSections(runner);
      BrokerSections slowSections = new BrokerSections(rabbitRunner);
      Map<String, Callable<List<BrokerResult>>> loopbacks = new LinkedHashMap<>();
      loopbacks.put("kafka", sections::kafka);
      loopbacks.put("rabbitmq", slowSections::rabbitmq);
      loopbacks.put("mqtt", slowSections::mqtt);
      loopbacks.put("memory", () -> List.of(sections.memory()));
      loopbacks.put("observability", sections::observability);
      for (var section : loopbacks.entrySet()) {
        if (!only.contains(section.getKey())) {
          continue;
        }
        List<BrokerResult> results;
        try {
          results = profiled(section.getKey(), section.getValue());
        } catch (Exception e) {
          System.out.println("[loopback] " + section.getKey() + " failed: " + e);
          e.printStackTrace(System.out);
          notes.add(section.getKey() + ": not measured in this run (" + e.getMessage() + ").");
          continue;
        }
        List<Row> sectionRows = new ArrayList<>();
        for (BrokerResult result : results) {
          loopbackRows(result, rate, sectionRows, notes);
        }
        rows.addAll(inSection(section.getKey(), sectionRows));
        measured.add(section.getKey());
      }
      if (only.contains("outbox")) {
        try {
          OutboxSection outbox = new OutboxSection(quick ? OutboxSection.Settings.quick()
              : OutboxSection.Settings.full(Math.max(1_000, events / 20)));
          List<Row> sectionRows = new ArrayList<>();
          // Not profiled: its time is mostly PostgreSQL's, outside this JVM.
          for (OutboxSection.Result result : outbox.run(notes)) {
            outboxRows(result, sectionRows, notes);
          }
          rows.addAll(inSection("outbox", sectionRows));
          measured.add("outbox");
        } catch (Exception e) {
          System.out.println("[outbox] failed: " + e);
          e.printStackTrace(System.out);
          notes.add("outbox: not measured in this run (" + e.getMessage() + ").");
        }
      }
      if (only.contains("concurrency")) {
        try {
          SlowHandlerSection slow = new SlowHandlerSection(quick ? SlowHandlerSection.Settings.quick()
              : SlowHandlerSection.Settings.full());
          List<Row> sectionRows = new ArrayList<>();
          for (SlowHandlerSection.Result result : slow.run(notes)) {
            sectionRows.add(Row.paired("concurrency, " + result.binding()
                + ": throughput with a 1 ms handler (concurrency " + SlowHandlerSection.CONCURRENCY
                + " vs 1, order per key checked)", "events/s", median(result.many()), median(result.one()),
                result.ratio(), 10.0));
          }
          rows.addAll(inSection("concurrency", sectionRows));
          measured.add("concurrency");
        } catch (Exception e) {
          System.out.println("[concurrency] failed: " + e);
          e.printStackTrace(System.out);
          notes.add("concurrency: not measured in this run (" + e.getMessage() + ").");
        }
      }
      if (only.contains("subscriptions")) {
        try {
          List<Row> sectionRows = new ArrayList<>();
          for (SubscriptionCostSection.Result result : new SubscriptionCostSection(quick).run(notes)) {
            String what = String.format(Locale.ROOT, "subscriptions, %s: %,d %s subscriptions", result.binding(),
                result.subscriptions(), result.kind().word());
            // Opened per second against the rate that opens 1,000 within 5 s (200/s). Issue 16 promises the 1,000:
            // the smaller steps are reported without a target (their time is mostly the first connection's).
            // The raw client's row is the broker's floor for the same declarations: a reference, without a target.
            boolean reference = result.binding().endsWith("raw client");
            sectionRows.add(Row.of(what + ", opened per second (vs 200/s, 1,000 in 5 s)", "subscriptions/s",
                result.subscriptions() / Math.max(result.seconds(), 1e-3), 200,
                result.subscriptions() >= 1_000 && !reference ? 1.0 : null));
            if (reference) {
              continue;
            }
            sectionRows.add(Row.of(what + ", threads added (per subscription)", "threads", result.threads(),
                result.subscriptions(), null));
            sectionRows.add(Row.of(what + ", heap added in MiB (per subscription)", "MiB", result.heapMiB(),
                result.subscriptions(), null));
          }
          rows.addAll(inSection("subscriptions", sectionRows));
          measured.add("subscriptions");
        } catch (Exception e) {
          System.out.println("[subscriptions] failed: " + e);
          e.printStackTrace(System.out);
          notes.add("subscriptions: not measured in this run (" + e.getMessage() + ").");
        }
      }
      if (only.contains("requestreply")) {
        try {
          RequestReplySection section = new RequestReplySection(quick ? RequestReplySection.Settings.quick()
              : RequestReplySection.Settings.full());
          List<Row> sectionRows = new ArrayList<>();
          for (RequestReplySection.Result result : section.run(notes)) {
            for (double percentile : new double[] {50, 99}) {
              // Against the same buses answering by hand (a ping publish answered by a pong publish): no target.
              sectionRows.add(Row.of(String.format(Locale.ROOT, "request/reply, %s: round trip p%.0f in ms (vs a "
                  + "ping answered by a pong on the same buses)", result.binding(), percentile), "ms",
                  result.request(percentile), result.byHand(percentile), null));
            }
          }
          rows.addAll(inSection("requestreply", sectionRows));
          measured.add("requestreply");
        } catch (Exception e) {
          System.out.println("[request/reply] failed: " + e);
          e.printStackTrace(System.out);
          notes.add("request/reply: not measured in this run (" + e.getMessage() + ").");
        }
      }
    }

    private void jmh(List<Row> rows) throws Exception {
      ChainedOptionsBuilder options = new OptionsBuilder();
      if (jmhFilter != null) {
        options.include(jmhFilter);
      } else {
        options.include(PREFIX + "EnvelopeBenchmark\\.").include(PREFIX + "InMemoryBenchmark\\.")
            .include(PREFIX + "PayloadBenchmark\\.");
      }
      options.threads(1)
          .shouldFailOnError(true)
          .jvmArgsAppend("-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
      if (quick) {
        options.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(300))
            .measurementIterations(1).measurementTime(TimeValue.milliseconds(500));
      } else {
        // Three seconds of warm-up were not enough on 2 cores: the structured round trip still climbed from 140k to
        // 262k ops/s over the measured iterations of one fork, and forks of the same code settled 1.5 x apart (157k
        // against 242k). Ten seconds of warm-up and two forks, the score the median of their ten iterations.
        options.forks(2).warmupIterations(5).warmupTime(TimeValue.seconds(2))
            .measurementIterations(5).measurementTime(TimeValue.seconds(1));
      }
      if (profile) {
        deleteTree(profiles.resolve("jmh"));
        Files.createDirectories(profiles.resolve("jmh"));
        options.addProfiler("jfr", "dir=" + profiles.resolve("jmh").toAbsolutePath() + ";configName=profile");
      }
      Collection<RunResult> results = new Runner(options.build()).run();
      Map<String, Double> scores = new HashMap<>();
      for (RunResult result : results) {
        String name = result.getParams().getBenchmark();
        // The median iteration, not the mean: on a shared machine one disturbed second should not move the score.
        scores.put(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
            result.getPrimaryResult().getStatistics().getPercentile(50));
      }
      if (profile) {
        summariseJmhProfiles();
      }
      if (jmhFilter != null) {
        scores.forEach((name, score) -> rows.add(Row.of(name, "ops/s", score, score, null)));
        return;
      }
      String env = "EnvelopeBenchmark.";
      rows.add(Row.of("envelope encode+decode, binary mode (vs SDK JSON format)", "ops/s",
          scores.get(env + "omnibusRoundTripBinary"), scores.get(env + "sdkJsonRoundTrip"), 1.5));
      rows.add(Row.of("envelope encode+decode, structured mode (vs SDK JSON format)", "ops/s",
          scores.get(env + "omnibusRoundTripStructured"), scores.get(env + "sdkJsonRoundTrip"), 1.5));
      rows.add(Row.of("envelope encode+decode, structured mode, data from the bus's JSON codec (vs SDK JSON format)",
          "ops/s", scores.get(env + "omnibusRoundTripStructuredProducedJson"), scores.get(env + "sdkJsonRoundTrip"),
          null));
      rows.add(Row.of("envelope encode, structured mode, data from the bus's JSON codec (vs checked data)", "ops/s",
          scores.get(env + "omnibusEncodeStructuredProducedJson"), scores.get(env + "omnibusEncodeStructured"), null));
      rows.add(Row.of("envelope encode, binary mode (vs SDK serialize)", "ops/s",
          scores.get(env + "omnibusEncodeBinary"), scores.get(env + "sdkJsonSerialize"), null));
      rows.add(Row.of("envelope encode, structured mode (vs SDK serialize)", "ops/s",
          scores.get(env + "omnibusEncodeStructured"), scores.get(env + "sdkJsonSerialize"), null));
      rows.add(Row.of("envelope decode, binary mode (vs SDK deserialize)", "ops/s",
          scores.get(env + "omnibusDecodeBinary"), scores.get(env + "sdkJsonDeserialize"), null));
      rows.add(Row.of("envelope decode, structured mode (vs SDK deserialize)", "ops/s",
          scores.get(env + "omnibusDecodeStructured"), scores.get(env + "sdkJsonDeserialize"), null));
      rows.add(Row.of("payload encode, bus JSON codec (vs plain Jackson write)", "ops/s",
          scores.get("PayloadBenchmark.busCodecEncode"), scores.get("PayloadBenchmark.jacksonWrite"), null));
      rows.add(Row.of("payload decode, bus JSON codec (vs plain Jackson read)", "ops/s",
          scores.get("PayloadBenchmark.busCodecDecode"), scores.get("PayloadBenchmark.jacksonRead"), null));
      rows.add(Row.of("in-memory publish→handler, JMH (vs the 500,000/s target)", "events/s",
          scores.get("InMemoryBenchmark.publishToHandler"), 500_000, 1.0));
    }

    private void summariseJmhProfiles() throws IOException {
      Files.createDirectories(summaries);
      try (Stream<Path> files = Files.walk(profiles.resolve("jmh"))) {
        for (Path file : files.filter(path -> path.toString().endsWith(".jfr")).toList()) {
          String name = profiles.resolve("jmh").relativize(file).getName(0).toString();
          String benchmark = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
          if (benchmark.contains("-")) {
            benchmark = benchmark.substring(0, benchmark.indexOf('-'));
          }
          Files.writeString(summaries.resolve("jmh-" + benchmark + ".txt"),
              JfrSummary.summarise(file, "JMH " + name, time -> true, 30));
        }
      }
    }

    private List<BrokerResult> profiled(String section, Callable<List<BrokerResult>> body) throws Exception {
      if (!profile) {
        return body.call();
      }
      Files.createDirectories(profiles);
      Path file = profiles.resolve(section + ".jfr");
      List<BrokerResult> results;
      try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
        recording.start();
        results = body.call();
        recording.stop();
        recording.dump(file);
      }
      Files.createDirectories(summaries);
      // One summary per pairing (binary, structured mode, ...): each is its own bus path.
      for (BrokerResult result : results) {
        String name = result.broker().equals(section) ? section
            : result.broker().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "");
        Files.writeString(summaries.resolve("loopback-" + name + "-bus.txt"), JfrSummary.summarise(file,
            result.broker() + ": samples while the bus ran (raw side idle)",
            time -> result.busWindows().stream()
                .anyMatch(w -> !time.isBefore(w.start()) && !time.isAfter(w.end())),
            30));
      }
      return results;
    }

    /** The section's rows, checked to name their section first, as {@link Report#sectionOf} reads it back. */
    private static List<Row> inSection(String section, List<Row> rows) {
      for (Row row : rows) {
        if (!Report.sectionOfRow(row).equals(section)) {
          throw new IllegalStateException("the row '" + row.benchmark() + "' of section " + section + " must start "
              + "with its section's name (Report.sectionOf), or --only runs would not merge it right");
        }
      }
      return rows;
    }

    /**
     * The outbox's rows: relay (and write, and both) against direct publishes, each the median of the rounds' own
     * ratios; no target is promised.
     */
    private static void outboxRows(OutboxSection.Result result, List<Row> rows, List<String> notes) {
      String binding = result.binding();
      double direct = median(result.direct());
      rows.add(Row.paired("outbox, " + binding + ": relay throughput, committed row → broker confirm (relay vs "
          + "direct publish)", "events/s", median(result.relayed()), direct, result.relayOverDirect(), null));
      rows.add(Row.paired("outbox, " + binding + ": write throughput, transactions of 100 (outbox write vs direct "
          + "publish)", "events/s", median(result.written()), direct, result.writeOverDirect(), null));
      rows.add(Row.paired("outbox, " + binding + ": write then relay (outbox end to end vs direct publish)",
          "events/s", median(result.endToEnd()), direct, result.outboxOverDirect(), null));
      notes.add(String.format(Locale.ROOT, "outbox, %s rounds, events/s — direct: %s; outbox write: %s; relay: %s.",
          binding, rounds(result.direct()), rounds(result.written()), rounds(result.relayed())));
    }

    private static double median(List<Double> values) {
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int middle = sorted.length / 2;
      return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** Bus / raw throughput promised on Kafka, RabbitMQ and MQTT, in binary and structured mode (issue 16). */
    private static final double BROKER_THROUGHPUT_TARGET = 0.95;
    /** In-memory bus / bare queue hand-off throughput promised (issue 16). */
    private static final double MEMORY_THROUGHPUT_TARGET = 0.70;
    /** How much the bus's p99 at the fixed rate may exceed the raw client's, in ms (issue 16). */
    private static final double P99_ALLOWANCE_MS = 0.2;

    private static void loopbackRows(BrokerResult result, String rate, List<Row> rows, List<String> notes) {
      String broker = result.broker();
      if (broker.equals(BrokerSections.OBSERVED_MEMORY) || broker.equals(BrokerSections.OBSERVED_KAFKA)) {
        observabilityRows(result, rate, rows, notes);
        return;
      }
      if (broker.equals(BrokerSections.KAFKA_SDK)) {
        referenceRows(result, rows, notes);
        return;
      }
      String against = result.raw().label();
      // Issue 16: every broker at 0.95 of its raw client in binary and in structured mode; in memory 0.70 of the bare
      // hand-off, which does no envelope, no acknowledgement and no dispatch at all.
      double target = broker.equals("memory") ? MEMORY_THROUGHPUT_TARGET : BROKER_THROUGHPUT_TARGET;
      rows.add(Row.paired(broker + " throughput, publish→consume (bus vs " + against + ")", "events/s",
          result.bus().medianThroughput(), result.raw().medianThroughput(), result.medianRoundRatio(), target));
      Latency raw = result.raw().medianLatency();
      Latency bus = result.bus().medianLatency();
      rows.add(Row.of(broker + " latency p50 at " + rate + " (bus vs " + against + ")", "ms", bus.p50(), raw.p50(),
          null));
      rows.add(Row.of(broker + " latency p99 at " + rate + " (bus vs " + against + ")", "ms", bus.p99(), raw.p99(),
          null));
      rows.add(Row.atMost(broker + " p99 at " + rate + ", bus within " + against + " + " + P99_ALLOWANCE_MS
          + " ms (bus p99 vs raw p99 + " + P99_ALLOWANCE_MS + " ms)", "ms", bus.p99(), raw.p99() + P99_ALLOWANCE_MS));
      rows.add(Row.of(broker + " latency p99.9 at " + rate + " (bus vs " + against + ")", "ms", bus.p999(),
          raw.p999(), null));
      if (result.raw().lost() + result.bus().lost() + raw.lost() + bus.lost() > 0) {
        notes.add(String.format(Locale.ROOT, "%s: orders not received within 15 s — %s %d (throughput) + %d "
            + "(latency), bus %d + %d.", broker, against, result.raw().lost(), raw.lost(), result.bus().lost(),
            bus.lost()));
      }
      notes.add(String.format(Locale.ROOT, "%s rounds, events/s — %s: %s; bus: %s.", broker, against,
          rounds(result.raw().throughput()), rounds(result.bus().throughput())));
      notes.add(String.format(Locale.ROOT, "%s latency rounds, p99 in ms — %s: %s; bus: %s.", broker, against,
          p99s(result.raw()), p99s(result.bus())));
      if (broker.equals("memory")) {
        memoryCostRows(result, rows, notes);
      } else {
        notes.add(costNote(result));
      }
    }

    /**
     * The bus against kafka-clients with the CloudEvents SDK, a consumer that reads every attribute as the bus does:
     * throughput without a target (the targets stand against the raw client, which reads one header), the rounds and
     * what each side cost per event.
     */
    private static void referenceRows(BrokerResult result, List<Row> rows, List<String> notes) {
      String against = result.raw().label();
      rows.add(Row.paired(result.broker() + ": throughput, publish→consume (bus vs " + against + ", a reference "
          + "without a target)", "events/s", result.bus().medianThroughput(), result.raw().medianThroughput(),
          result.medianRoundRatio(), null));
      notes.add(String.format(Locale.ROOT, "%s rounds, events/s — %s: %s; bus: %s.", result.broker(), against,
          rounds(result.raw().throughput()), rounds(result.bus().throughput())));
      notes.add(costNote(result));
    }

    /**
     * What each side's throughput rounds cost per event, the median of rounds: this JVM's CPU time and heap, and the
     * broker's CPU time where this run started the broker (Kafka), which shares the two cores with this JVM.
     */
    private static String costNote(BrokerResult result) {
      LoopbackRunner.Cost raw = result.raw().medianCost();
      LoopbackRunner.Cost bus = result.bus().medianCost();
      String brokerCpu = Double.isNaN(raw.brokerCpuMicros()) ? "" : String.format(Locale.ROOT,
          "; the broker's process: %.2f and %.2f µs", raw.brokerCpuMicros(), bus.brokerCpuMicros());
      return String.format(Locale.ROOT, "%s per event, median of the throughput rounds, %s and bus — CPU of the "
          + "measuring JVM: %.2f and %.2f µs; heap: %,.0f and %,.0f bytes%s.", result.broker(), result.raw().label(),
          raw.cpuMicros(), bus.cpuMicros(), raw.bytes(), bus.bytes(), brokerCpu);
    }

    /**
     * In memory both sides run wholly in this JVM, so what each costs per event is measured too: CPU time of all
     * threads and heap allocated, which other work on the machine does not move (rows without a target: the cost
     * the throughput ratio comes from). And how far the rounds' ratios spread, so a reader sees how noisy it was.
     */
    private static void memoryCostRows(BrokerResult result, List<Row> rows, List<String> notes) {
      String against = result.raw().label();
      LoopbackRunner.Cost raw = result.raw().medianCost();
      LoopbackRunner.Cost bus = result.bus().medianCost();
      rows.add(Row.of("memory CPU per event, all threads (bus vs " + against + ")", "µs", bus.cpuMicros(),
          raw.cpuMicros(), null));
      rows.add(Row.of("memory heap allocated per event (bus vs " + against + ")", "bytes", bus.bytes(), raw.bytes(),
          null));
      double[] ratios = result.roundRatios();
      if (ratios.length > 0) {
        notes.add(String.format(Locale.ROOT, "memory: %d rounds, the side going first alternating, each run from a "
            + "collected heap; bus / %s per round from %.2f to %.2f, middle half %.2f to %.2f, median %.2f.",
            ratios.length, against, ratios[0], ratios[ratios.length - 1], ratios[ratios.length / 4],
            ratios[(ratios.length * 3 - 1) / 4], result.medianRoundRatio()));
      }
    }

    /** Metrics and tracing on (B) against off (A): the target is 0.90 of the throughput with both on. */
    private static void observabilityRows(BrokerResult result, String rate, List<Row> rows, List<String> notes) {
      String broker = result.broker();
      rows.add(Row.paired(broker + " throughput, publish→consume (bus with metrics and tracing vs without)", "events/s",
          result.bus().medianThroughput(), result.raw().medianThroughput(), result.medianRoundRatio(), 0.90));
      Latency off = result.raw().medianLatency();
      Latency on = result.bus().medianLatency();
      rows.add(Row.of(broker + " latency p50 at " + rate + " (with metrics and tracing vs without)", "ms", on.p50(),
          off.p50(), null));
      rows.add(Row.of(broker + " latency p99 at " + rate + " (with metrics and tracing vs without)", "ms", on.p99(),
          off.p99(), null));
      if (result.raw().lost() + result.bus().lost() + off.lost() + on.lost() > 0) {
        notes.add(String.format(Locale.ROOT, "%s: orders not received within 15 s — off %d + %d, on %d + %d.", broker,
            result.raw().lost(), off.lost(), result.bus().lost(), on.lost()));
      }
      notes.add(String.format(Locale.ROOT, "%s rounds, events/s — off: %s; on: %s.", broker,
          rounds(result.raw().throughput()), rounds(result.bus().throughput())));
    }

    private static String p99s(LoopbackRunner.SideResult side) {
      return String.join(", ",
          side.latency().stream().map(round -> String.format(Locale.ROOT, "%.2f", round.p99())).toList());
    }

    private static String rounds(List<Double> values) {
      return String.join(", ", values.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).toList());
    }
  }

  /**
   * A run's environment as the reader needs it (date, machine, load, settings, heap, duration) and its load, sampled
   * every 5 s throughout: the load before and after says little about a half-hour run on a shared machine.
   */
  private static final class Session {

    private final long started = System.nanoTime();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<Double> peakLoad =
        new java.util.concurrent.atomic.AtomicReference<>(parseLoad(loadAverage()));
    private final Thread loadSampler = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(5_000);
          peakLoad.accumulateAndGet(parseLoad(loadAverage()), Math::max);
        }
      } catch (InterruptedException e) {
        // the run is over
      }
    }, "load-sampler");

    static Session start(boolean quick, String heap) {
      Session session = new Session();
      Map<String, String> environment = session.environment;
      environment.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC).toString());
      environment.put("machine", machine());
      environment.put("load before", loadAverage());
      environment.put("settings", quick ? "quick (smoke test: not numbers to quote)" : "full");
      environment.put("heap", heap);
      System.out.println("Omnibus benchmarks: " + environment);
      System.out.println("Payload: " + Orders.describe());
      checkSamePayloadBytes();
      session.loadSampler.setDaemon(true);
      session.loadSampler.start();
      return session;
    }

    void finish(Path out, Set<String> measured, List<Row> rows, List<String> notes) throws IOException {
      loadSampler.interrupt();
      environment.put("load after", loadAverage());
      double load = peakLoad.accumulateAndGet(parseLoad(environment.get("load after")), Math::max);
      environment.put("load peak", String.format(Locale.ROOT, "%.2f", load));
      environment.put("duration", Math.round((System.nanoTime() - started) / 1e9) + " s");
      // The peak is mostly the run's own brokers and clients (3.5-4.6 on 2 cores in runs with nothing else on the
      // machine), so it cannot tell other work from the run's; the load the run started from can.
      double before = parseLoad(environment.get("load before"));
      if (before > 1.0) {
        notes.add(0, String.format(Locale.ROOT, "The machine was not at rest when this run started (1-minute load "
            + "average %.2f on %d cores): other work may have competed for the CPU, so absolute figures may be low "
            + "and ratios noisy.", before, Runtime.getRuntime().availableProcessors()));
      }
      Report.write(out, measured, rows, environment, notes);
      System.out.println();
      System.out.println("Wrote " + out.resolve("docs/benchmarks/results.json") + " and "
          + out.resolve("docs/benchmarks.md") + " in " + environment.get("duration"));
      for (Row row : rows) {
        System.out.printf(Locale.ROOT, "%-70s %14.2f %14.2f %7.3f %s%n", row.benchmark(), row.omnibus(),
            row.baseline(), row.ratio(), row.met() == null ? "" : row.met() ? "met" : "MISSED");
      }
    }
  }

  /** The bus and raw clients must put the same payload bytes on the wire; a drift here would skew every ratio. */
  private static void checkSamePayloadBytes() {
    Orders.Order order = Orders.order(3, 42L);
    byte[] bus = Orders.ORDER_PLACED.codec().encode(order);
    byte[] raw = Orders.json(order);
    if (!java.util.Arrays.equals(bus, raw)) {
      throw new IllegalStateException("the bus's JSON codec and the raw clients' Jackson write different bytes:\n"
          + new String(bus, StandardCharsets.UTF_8) + "\n" + new String(raw, StandardCharsets.UTF_8));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static Path projectRoot() {
    try {
      Path jar = Path.of(BenchmarkMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // benchmarks/target/benchmarks.jar or benchmarks/target/classes
      Path candidate = jar.getParent() == null ? null : jar.getParent().getParent();
      if (candidate != null && candidate.getFileName().toString().equals("benchmarks")
          && Files.exists(candidate.resolveSibling("pom.xml"))) {
        return candidate.getParent();
      }
    } catch (Exception e) {
      // fall back to the working directory
    }
    return Path.of("").toAbsolutePath();
  }

  private static String machine() {
    String cpu = "?";
    try {
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(line -> line.startsWith("model name")).findFirst()
          .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("?");
    } catch (IOException e) {
      // not Linux
    }
    return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + System.getProperty("java.vm.name")
        + " " + System.getProperty("java.version") + ", " + System.getProperty("os.name");
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return String.format(Locale.ROOT, "%.2f",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static double parseLoad(String load) {
    try {
      return Double.parseDouble(load.split("\\s+")[0]);
    } catch (RuntimeException e) {
      return 0;
    }
  }
}
