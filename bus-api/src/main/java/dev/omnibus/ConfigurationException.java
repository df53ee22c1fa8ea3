package dev.omnibus;

import java.util.List;

/**
 * The bus cannot be built as configured: every problem found while building, each with the path in the AsyncAPI
 * document it concerns (e.g. {@code servers.production.variables.port}), reported together.
 */
public final class ConfigurationException extends EventBusException {

  private final List<Problem> problems;

  private ConfigurationException(List<Problem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  private ConfigurationException(String message, Throwable cause) {
    super(message, cause);
    this.problems = List.of(new Problem("", message));
  }

  /**
   * One problem in the configuration.
   *
   * @param path where in the document, dot-separated ({@code channels.orderEvents.address}); empty when it concerns
   *     the builder rather than the document
   * @param message what is wrong and what to do
   */
  public record Problem(String path, String message) {
    @Override
    public String toString() {
      return path.isEmpty() ? message : path + ": " + message;
    }
  }

  /** One problem. */
  public static ConfigurationException of(String path, String message) {
    return new ConfigurationException(List.of(new Problem(path, message)));
  }

  /** One problem, not tied to a document path. */
  public static ConfigurationException of(String message) {
    return of("", message);
  }

  /** Several problems at once; there must be at least one. */
  public static ConfigurationException of(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("at least one problem");
    }
    return new ConfigurationException(problems);
  }

  /** A problem found because another exception was thrown. */
  public static ConfigurationException because(String message, Throwable cause) {
    return new ConfigurationException(message, cause);
  }

  /** The problems, in the order found. */
  public List<Problem> problems() {
    return problems;
  }

  private static String render(List<Problem> problems) {
    if (problems.size() == 1) {
      return problems.get(0).toString();
    }
    StringBuilder text = new StringBuilder(problems.size() + " configuration problems:");
    for (Problem problem : problems) {
      text.append("\n  - ").append(problem);
    }
    return text.toString();
  }
}
