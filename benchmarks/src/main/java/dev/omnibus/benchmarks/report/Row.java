package dev.omnibus.benchmarks.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of {@code docs/benchmarks/results.json}: {@code ratio} is {@code omnibus / baseline}, except for the
 * loopback throughputs, where it is the median of the rounds' own ratios (A and B back to back in each round, which
 * cancels drift between rounds) while {@code omnibus} and {@code baseline} are the medians of the rounds, and for a
 * bound ({@link #atMost}: a figure where lower is better, such as a latency, against the most it may be), where it is
 * {@code baseline / omnibus}, so that at least 1 still means met; {@code target} is the least ratio promised or
 * {@code null} where nothing is promised (latency details).
 *
 * @param benchmark what was measured
 * @param unit the unit of {@code omnibus} and {@code baseline}
 * @param omnibus the bus's (or envelope's) figure
 * @param baseline the raw client's (or the SDK's) figure in the same run
 * @param ratio {@code omnibus / baseline} (a bound's: {@code baseline / omnibus})
 * @param target the least acceptable ratio, or {@code null}
 */
@JsonPropertyOrder({"benchmark", "unit", "omnibus", "baseline", "ratio", "target"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Row(String benchmark, String unit, double omnibus, double baseline, double ratio, Double target) {

  public static Row of(String benchmark, String unit, double omnibus, double baseline, Double target) {
    return new Row(benchmark, unit, round(omnibus), round(baseline), Math.round(omnibus / baseline * 1000) / 1000.0,
        target);
  }

  /** A row whose ratio is the median of paired rounds' ratios. */
  public static Row paired(String benchmark, String unit, double omnibus, double baseline, double ratio,
      Double target) {
    return new Row(benchmark, unit, round(omnibus), round(baseline), Math.round(ratio * 1000) / 1000.0, target);
  }

  /**
   * A figure where lower is better against the most it may be: the ratio is {@code bound / omnibus} and the target 1,
   * met when the figure is at or below the bound.
   */
  public static Row atMost(String benchmark, String unit, double omnibus, double bound) {
    return new Row(benchmark, unit, round(omnibus), round(bound), Math.round(bound / omnibus * 1000) / 1000.0, 1.0);
  }

  /** Whether the target is met; {@code null} when there is none. */
  public Boolean met() {
    return target == null ? null : ratio >= target;
  }

  private static double round(double value) {
    return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000.0;
  }
}
