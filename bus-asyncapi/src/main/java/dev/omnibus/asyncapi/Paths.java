package dev.omnibus.asyncapi;

/** Document paths as Omnibus reports them: dot-separated, e.g. {@code servers.production.variables.port}. */
final class Paths {

  private Paths() {}

  static String of(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }

  static String of(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
