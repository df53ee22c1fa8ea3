package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * Measures two sides on one broker in one run, alternating them (A B A B ...), and keeps the median of the rounds.
 *
 * <p>Throughput: {@code events} orders are published as fast as the side allows, with at most {@code window} of
 * them published but not yet consumed (the same end-to-end window for both sides, below what the broker would drop or
 * page out); the score is orders consumed per second from the first publish to the last receipt. Latency: orders are
 * published at a fixed rate for a few seconds; each receipt records its time minus the time the order was
 * <em>meant</em> to be sent (so a stalled sender counts against it: no coordinated omission).
 */
public final class LoopbackRunner {

  /**
   * How a broker section runs.
   *
   * @param warmupRuns throughput runs of {@code warmupEvents} per side before the measured rounds, at the least
   * @param warmupSeconds how long this JVM (and a broker it started) has been under the runner's load, at the least,
   *     before the measured rounds begin: warm-up runs go on until then, counted from the first run in this JVM (so a
   *     section after another one in the same JVM is not warmed up again)
   * @param interleaved whether the side that goes first alternates from run to run (A B, B A, ...; warm-up runs and
   *     latency rounds included), so that neither side always runs second (on a broker still speeding up, the second
   *     side gains)
   * @param collected whether every throughput run starts from a collected heap, so that neither side pays for the
   *     other's garbage; for sections measured wholly inside this JVM, where a young collection is a large share of a
   *     run
   */
  public record Settings(int warmupEvents, int events, int rounds, int latencyRate, int latencySeconds,
      int latencyRounds, int warmupRuns, int warmupSeconds, boolean interleaved, boolean collected) {

    /**
     * The full run. Five latency rounds: a round's p99 rests on its hundred slowest orders, and one burst of other work
     * on these two cores moved it by 0.3 ms (the in-memory bus's three rounds in one run: 0.25, 0.58 and 0.34 ms), so
     * the median of three still depended on one unlucky round.
     */
    public static Settings full(int events) {
      return new Settings(events, events, 5, 2_000, 5, 5, 1, 0, false, false);
    }

    /** A smoke test of the harness: tiny, one round each. */
    public static Settings quick() {
      return new Settings(200, 1_000, 1, 500, 1, 1, 1, 0, false, false);
    }

    /**
     * For a section inside this JVM (memory): its rounds last about a second and one young collection or one burst of
     * other work on a shared machine swung a round's ratio from 0.4 to 1.2, so four times the rounds at half the
     * events, alternating which side goes first, each run from a collected heap, after three warm-up runs per side
     * (the bus's path is longer to compile), and at least fifteen seconds under load: on a slower machine (a 2-core AMD
     * EPYC whose bare hand-off ran at half the speed of another's) the bus's CPU per event still fell from 5.3-8.0 µs
     * to a steady 5.0 over the first seven measured rounds, about seven seconds into the section, and those rounds
     * (ratios 0.33-0.62 against 0.67-0.81 after) moved the median below the target. A quick run stays a smoke test.
     */
    public Settings inProcess() {
      if (rounds <= 1) {
        return new Settings(warmupEvents, events, rounds, latencyRate, latencySeconds, latencyRounds, warmupRuns,
            warmupSeconds, true, true);
      }
      int shorter = Math.max(1_000, events / 2);
      return new Settings(shorter, shorter, rounds * 4, latencyRate, latencySeconds, latencyRounds, 3, 15, true, true);
    }

    /**
     * For the machine's own brokers (RabbitMQ, Mosquitto): on a 2-core AMD EPYC machine the rounds' ratios of one
     * section spread from 0.58 to 1.44 (MQTT; RabbitMQ 0.87 to 0.99) as the host's load came and went, both sides'
     * CPU per event doubling in the slow rounds, so the median of five rested on two or three rounds. So twice the
     * rounds, two warm-up runs per side, and the side going first alternating, as for Kafka. And three times the
     * orders per measured round (about six seconds instead of two): two full runs of one code at rest on that machine
     * still had MQTT's medians 0.12 and 0.20 apart, on rounds from 0.63 to 1.49. A quick run stays a smoke test.
     */
    public Settings sharedBroker() {
      if (rounds <= 1) {
        return this;
      }
      return new Settings(warmupEvents, events * 3, rounds * 2, latencyRate, latencySeconds, latencyRounds,
          Math.max(2, warmupRuns), warmupSeconds, true, collected);
    }

    /**
     * For a broker this run starts in a JVM of its own (Kafka): its JIT compiles the broker's path while the first
     * runs go, and after one warm-up run the raw side's rate still rose from 87k/s to 185k/s over five rounds, so a
     * round's ratio said more about when it ran than about the bus (and with three warm-up runs the first rounds still
     * rose by a third). So five warm-up runs per side, twice the rounds,
     * the side going first alternating, and five latency rounds (a p99 of one round moved by 0.7 ms). Not from a
     * collected heap: the collection gave the heap back, and growing it again faulted fresh pages in during the
     * run, 13-19% of the client threads' CPU time, and most on the side that allocates most. Twice the orders per
     * measured round (about three seconds instead of one and a half): two full runs of one code at rest had the
     * structured rounds' medians 0.17 apart (1.075 and 0.91). And at least ninety seconds under load: on a slower
     * machine the first section's rates still rose through its first six measured rounds after the five warm-up runs
     * (the raw side from 98k/s to 142k/s, the bus's CPU per event from 11.9 to 8.5 µs and the broker's from 7-9 to 5),
     * steady after about seventy seconds of load, and those rounds (ratios 0.75-1.08) moved the median below the
     * target where the rounds after them gave 0.93-1.00. A quick run stays a smoke test.
     */
    public Settings brokerProcess() {
      if (rounds <= 1) {
        return this;
      }
      return new Settings(warmupEvents, events * 2, rounds * 2, latencyRate, latencySeconds,
          Math.max(5, latencyRounds), 5, 90, true, false);
    }

    /** These settings without the latency rounds: for a reference measured for its throughput alone. */
    public Settings throughputOnly() {
      return new Settings(warmupEvents, events, rounds, latencyRate, latencySeconds, 0, warmupRuns, warmupSeconds,
          interleaved, collected);
    }
  }

  /**
   * What one side's throughput run cost per event: CPU time of all this JVM's threads (GC and compiler threads
   * included), heap allocated by its live threads, and CPU time of the broker's process where this run started it
   * (Kafka; NaN elsewhere), which shares the cores with this JVM. Unlike events per second, these do not move when
   * other processes take the cores, so they show a change of the bus's own work even on a busy machine.
   */
  public record Cost(double cpuMicros, double bytes, double brokerCpuMicros) {}

  /** Percentiles in milliseconds. */
  public record Latency(double p50, double p99, double p999, long samples, long lost) {}

  /** One side's results: throughput per round (events/s), latency per round. */
  public record SideResult(String label, List<Double> throughput, List<Latency> latency, long lost,
      List<Cost> cost) {

    public double medianThroughput() {
      return median(throughput.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The median over rounds of the CPU time and heap allocated per event. */
    public Cost medianCost() {
      return new Cost(median(cost.stream().mapToDouble(Cost::cpuMicros).toArray()),
          median(cost.stream().mapToDouble(Cost::bytes).toArray()),
          median(cost.stream().mapToDouble(Cost::brokerCpuMicros).toArray()));
    }

    public Latency medianLatency() {
      return new Latency(
          median(latency.stream().mapToDouble(Latency::p50).toArray()),
          median(latency.stream().mapToDouble(Latency::p99).toArray()),
          median(latency.stream().mapToDouble(Latency::p999).toArray()),
          latency.stream().mapToLong(Latency::samples).sum(),
          latency.stream().mapToLong(Latency::lost).sum());
    }
  }

  /** A broker section's result: baseline (raw client) and the bus. */
  public record BrokerResult(String broker, SideResult raw, SideResult bus, List<Window> busWindows) {

    /** The median over rounds of bus / raw throughput, each round's two runs back to back. */
    public double medianRoundRatio() {
      return median(roundRatios());
    }

    /** Each round's bus / raw throughput, sorted. */
    public double[] roundRatios() {
      double[] ratios = new double[Math.min(raw.throughput().size(), bus.throughput().size())];
      for (int i = 0; i < ratios.length; i++) {
        ratios[i] = bus.throughput().get(i) / raw.throughput().get(i);
      }
      Arrays.sort(ratios);
      return ratios;
    }
  }

  /** When a bus run was under way, for profiles. */
  public record Window(Instant start, Instant end) {}

  /** When this JVM's first warm-up began ({@link System#nanoTime}); guarded by the class, set once. */
  private static long firstLoad;
  private static boolean loaded;

  private final Settings settings;

  public LoopbackRunner(Settings settings) {
    this.settings = settings;
  }

  /** How this runner runs its sections. */
  public Settings settings() {
    return settings;
  }

  /** Opens both sides, warms them up, then alternates their throughput and latency rounds. */
  public BrokerResult run(String broker, int window, Side.Factory raw, Side.Factory bus) throws Exception {
    return run(broker, window, raw, bus, () -> -1);
  }

  /**
   * {@link #run(String, int, Side.Factory, Side.Factory)} on a broker whose process's CPU time so far is known, in
   * nanoseconds (-1 when it cannot be read): each run's cost then includes the broker's part.
   */
  public BrokerResult run(String broker, int window, Side.Factory raw, Side.Factory bus, LongSupplier brokerCpuNanos)
      throws Exception {
    Switch rawSwitch = new Switch();
    Switch busSwitch = new Switch();
    List<Window> busWindows = new ArrayList<>();
    try (Side a = raw.open(rawSwitch); Side b = bus.open(busSwitch)) {
      log(broker + ": warming up " + a.label() + " and " + b.label());
      long warm = TimeUnit.SECONDS.toNanos(settings.warmupSeconds());
      long loadStart = firstLoad();
      int run = 0;
      for (; run < settings.warmupRuns() || System.nanoTime() - loadStart < warm; run++) {
        Run wa;
        Run wb;
        if (busFirst(run)) {
          wb = throughput(b, busSwitch, settings.warmupEvents(), window, brokerCpuNanos);
          wa = throughput(a, rawSwitch, settings.warmupEvents(), window, brokerCpuNanos);
        } else {
          wa = throughput(a, rawSwitch, settings.warmupEvents(), window, brokerCpuNanos);
          wb = throughput(b, busSwitch, settings.warmupEvents(), window, brokerCpuNanos);
        }
        log(String.format("%s warm-up %d: %s %,.0f/s, %s %,.0f/s", broker, run + 1, a.label(), wa.eventsPerSecond,
            b.label(), wb.eventsPerSecond));
      }
      log(String.format("%s: %d warm-up runs per side; this JVM under load for %d s", broker, run,
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - loadStart)));
      List<Double> rawThroughput = new ArrayList<>();
      List<Double> busThroughput = new ArrayList<>();
      List<Cost> rawCost = new ArrayList<>();
      List<Cost> busCost = new ArrayList<>();
      long rawLost = 0;
      long busLost = 0;
      for (int round = 0; round < settings.rounds(); round++) {
        Run ra;
        Run rb;
        Instant start;
        if (busFirst(round)) {
          start = Instant.now();
          rb = throughput(b, busSwitch, settings.events(), window, brokerCpuNanos);
          busWindows.add(new Window(start, Instant.now()));
          ra = throughput(a, rawSwitch, settings.events(), window, brokerCpuNanos);
        } else {
          ra = throughput(a, rawSwitch, settings.events(), window, brokerCpuNanos);
          start = Instant.now();
          rb = throughput(b, busSwitch, settings.events(), window, brokerCpuNanos);
          busWindows.add(new Window(start, Instant.now()));
        }
        rawThroughput.add(ra.eventsPerSecond);
        busThroughput.add(rb.eventsPerSecond);
        rawCost.add(ra.cost);
        busCost.add(rb.cost);
        rawLost += ra.lost;
        busLost += rb.lost;
        String brokerCpu = Double.isNaN(ra.cost.brokerCpuMicros()) ? "" : String.format(", broker CPU %.2f / %.2f µs",
            ra.cost.brokerCpuMicros(), rb.cost.brokerCpuMicros());
        log(String.format("%s round %d: %s %,.0f/s, %s %,.0f/s (ratio %.2f; CPU %.2f / %.2f µs, heap %,.0f / %,.0f "
            + "bytes%s per event)%s", broker, round + 1, a.label(), ra.eventsPerSecond, b.label(), rb.eventsPerSecond,
            rb.eventsPerSecond / ra.eventsPerSecond, ra.cost.cpuMicros(), rb.cost.cpuMicros(), ra.cost.bytes(),
            rb.cost.bytes(), brokerCpu, ra.lost + rb.lost > 0 ? " lost " + ra.lost + "/" + rb.lost : ""));
      }
      List<Latency> rawLatency = new ArrayList<>();
      List<Latency> busLatency = new ArrayList<>();
      for (int round = 0; round < settings.latencyRounds(); round++) {
        Latency la;
        Latency lb;
        Instant start;
        if (busFirst(round)) {
          start = Instant.now();
          lb = latency(b, busSwitch);
          busWindows.add(new Window(start, Instant.now()));
          la = latency(a, rawSwitch);
        } else {
          la = latency(a, rawSwitch);
          start = Instant.now();
          lb = latency(b, busSwitch);
          busWindows.add(new Window(start, Instant.now()));
        }
        rawLatency.add(la);
        busLatency.add(lb);
        log(String.format("%s latency at %,d/s round %d: %s p50 %.2f p99 %.2f p99.9 %.2f ms; %s p50 %.2f p99 %.2f "
            + "p99.9 %.2f ms", broker, settings.latencyRate(), round + 1, a.label(), la.p50, la.p99, la.p999,
            b.label(), lb.p50, lb.p99, lb.p999));
      }
      return new BrokerResult(broker, new SideResult(a.label(), rawThroughput, rawLatency, rawLost, rawCost),
          new SideResult(b.label(), busThroughput, busLatency, busLost, busCost), busWindows);
    }
  }

  /** When this JVM first came under the runner's load: now, if it has not yet. */
  private static synchronized long firstLoad() {
    if (!loaded) {
      loaded = true;
      firstLoad = System.nanoTime();
    }
    return firstLoad;
  }

  /** Whether the bus side goes first in this run or round: every other one, when the settings interleave. */
  private boolean busFirst(int run) {
    return settings.interleaved() && run % 2 == 1;
  }

  private record Run(double eventsPerSecond, long lost, Cost cost) {}

  private Run throughput(Side side, Switch receiver, int events, int window, LongSupplier brokerCpuNanos)
      throws InterruptedException {
    if (settings.collected()) {
      System.gc(); // each run starts from a collected heap: no side pays for the garbage the other left
    }
    Probe probe = new Probe(window);
    receiver.to(probe);
    long cpuBefore = processCpuNanos();
    long brokerBefore = brokerCpuNanos.getAsLong();
    long allocatedBefore = allocatedBytes();
    long start = System.nanoTime();
    int sent = 0;
    for (int i = 0; i < events; i++) {
      if (!probe.enter(15_000)) {
        break; // the window never came free: messages were lost
      }
      side.send(Orders.order(i, System.nanoTime()), probe);
      sent++;
    }
    probe.awaitReceived(sent, 15_000);
    long received = probe.receivedCount();
    long elapsed = Math.max(1, probe.lastReceivedNanos() - start);
    awaitConfirmed(probe, sent);
    long brokerAfter = brokerCpuNanos.getAsLong();
    Cost cost = new Cost((processCpuNanos() - cpuBefore) / 1e3 / Math.max(1, received),
        (double) (allocatedBytes() - allocatedBefore) / Math.max(1, received),
        brokerBefore < 0 || brokerAfter < 0 ? Double.NaN : (brokerAfter - brokerBefore) / 1e3 / Math.max(1, received));
    if (probe.failedCount() > 0) {
      log("  " + side.label() + ": " + probe.failedCount() + " sends failed, first: " + probe.firstFailure());
    }
    return new Run(received * 1e9 / elapsed, events - received, cost);
  }

  /** CPU time of the whole process so far (all threads, GC and compiler included); 0 where the JVM cannot tell. */
  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? Math.max(0, os.getProcessCpuTime()) : 0;
  }

  /** Heap allocated so far by the threads alive now; 0 where the JVM cannot tell. */
  private static long allocatedBytes() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)) {
      return 0;
    }
    long total = 0;
    for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      total += Math.max(0, bytes);
    }
    return total;
  }

  private Latency latency(Side side, Switch receiver) throws InterruptedException {
    Probe probe = new Probe(0);
    receiver.to(probe);
    int events = settings.latencyRate() * settings.latencySeconds();
    long interval = TimeUnit.SECONDS.toNanos(1) / settings.latencyRate();
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
    for (int i = 0; i < events; i++) {
      long intended = start + i * interval;
      long now;
      while ((now = System.nanoTime()) < intended) {
        LockSupport.parkNanos(intended - now);
      }
      side.send(Orders.order(i, intended), probe);
    }
    probe.awaitReceived(events, 15_000);
    awaitConfirmed(probe, events);
    Histogram histogram = probe.latency();
    return new Latency(millis(histogram.getValueAtPercentile(50)), millis(histogram.getValueAtPercentile(99)),
        millis(histogram.getValueAtPercentile(99.9)), histogram.getTotalCount(), events - probe.receivedCount());
  }

  private static void awaitConfirmed(Probe probe, long sent) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (probe.confirmedCount() + probe.failedCount() < sent && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  static void log(String line) {
    System.out.println("[loopback] " + line);
    System.out.flush();
  }
}
