package dev.omnibus.spi.support;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.spi.Bindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * One kind of a protocol's binding (channel or operation), parsed once per {@link Bindings} value and kept, so that a
 * send does not read it again. A binding with problems is not kept: each use reports them again. Thread-safe.
 *
 * @param <T> what the binding parses to
 */
public final class ParsedBindings<T> {

  /** Reads one kind of binding, recording its problems in the reader; {@code null} when there is none. */
  @FunctionalInterface
  public interface Parser<T> {
    /** Parses the protocol's binding among these bindings, or returns {@code null}; problems go to the reader. */
    @Nullable T parse(Bindings bindings, BindingReader reader);
  }

  private final String protocol;
  private final boolean strict;
  private final Parser<T> parser;
  private final Map<Bindings, T> known = new ConcurrentHashMap<>();

  /**
   * A cache of one kind of binding.
   *
   * @param protocol the protocol key in a {@code bindings} object, e.g. {@code kafka}
   * @param strict whether an unknown or misplaced field is a problem rather than a warning
   * @param parser how one binding object of the protocol is read
   */
  public ParsedBindings(String protocol, boolean strict, Parser<T> parser) {
    this.protocol = protocol;
    this.strict = strict;
    this.parser = parser;
  }

  /**
   * The parsed binding of the protocol among these bindings, or {@code null} when there is none.
   *
   * @throws ConfigurationException listing its problems
   */
  public @Nullable T of(Bindings bindings) {
    if (!bindings.has(protocol)) {
      return null;
    }
    T parsed = known.get(bindings);
    if (parsed != null) {
      return parsed;
    }
    BindingReader reader = new BindingReader(strict);
    T binding = parser.parse(bindings, reader);
    reader.throwIfAny();
    if (binding != null) {
      known.putIfAbsent(bindings, binding);
    }
    return binding;
  }

  /**
   * Runs every read and reports all their problems together: the shape of a {@code Transport.check} over a
   * destination's channel and operation bindings.
   *
   * @throws ConfigurationException listing the problems of every read
   */
  public static void checkAll(Runnable... reads) {
    List<Problem> problems = new ArrayList<>();
    for (Runnable read : reads) {
      try {
        read.run();
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
  }
}
