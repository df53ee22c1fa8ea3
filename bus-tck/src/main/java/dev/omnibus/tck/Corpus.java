package dev.omnibus.tck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import org.opentest4j.TestAbortedException;

/**
 * The external test corpus: documents and events written by others (AsyncAPI examples and TCK, CloudEvents
 * conformance files), in a folder beside the clone ({@code ../shared/data}) or named by
 * {@code -Domnibus.corpus=<dir>}, passed by the root pom's surefire configuration. Tests over it call {@link #dir()}
 * first: without the folder they are skipped with one line saying so, and with {@code CI=true} they fail, because CI
 * always has it. A module's own tests use fixtures in {@code src/test/resources} and never need it. Envelope
 * and bus-asyncapi, which this kit depends on, keep a copy of their own; every other module uses this one.
 */
public final class Corpus {

  public static final String PROPERTY = "omnibus.corpus";
  private static final AtomicBoolean ANNOUNCED = new AtomicBoolean();

  private Corpus() {}

  /** The corpus folder; skips the calling tests (fails them with {@code CI=true}) when it is absent. */
  public static Path dir() {
    try {
      return locate(System.getProperty(PROPERTY), "true".equalsIgnoreCase(System.getenv("CI")));
    } catch (TestAbortedException e) {
      if (ANNOUNCED.compareAndSet(false, true)) {
        System.out.println("[omnibus] " + e.getMessage()); // once per test JVM; each skipped class carries it too
      }
      throw e;
    }
  }

  /** {@link #dir()} with its inputs given: the configured folder and whether this is CI. */
  static Path locate(@Nullable String configured, boolean ci) {
    Path dir = configured == null || configured.isBlank() ? null : Path.of(configured).toAbsolutePath().normalize();
    if (dir != null && Files.isDirectory(dir)) {
      return dir;
    }
    String missing = "External test corpus not found at " + (dir == null ? "(-D" + PROPERTY + " not set)" : dir);
    String remedy = "Put shared/data beside the clone or pass -D" + PROPERTY + "=<dir>";
    if (ci) {
      throw new AssertionError(missing + ": CI=true requires the corpus. " + remedy);
    }
    return Assumptions.abort(missing + ": the tests over it are skipped. " + remedy);
  }
}
