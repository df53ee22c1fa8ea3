package dev.omnibus.asyncapi;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every problem found while reading a document, so they are reported together. Not thread-safe. */
public final class Problems {

  private final Set<Problem> problems = new LinkedHashSet<>();

  /** Records a problem at a document path. */
  public void add(String path, String message) {
    problems.add(new Problem(path, message));
  }

  /** Whether nothing was found. */
  public boolean isEmpty() {
    return problems.isEmpty();
  }

  /** The problems, in the order found. */
  public List<Problem> list() {
    return new ArrayList<>(problems);
  }

  /** Throws one {@link ConfigurationException} listing every problem, when there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(list());
    }
  }
}
