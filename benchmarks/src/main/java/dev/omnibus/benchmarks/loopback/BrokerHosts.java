package dev.omnibus.benchmarks.loopback;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Where the machine's brokers are, for every section that uses them: the environment, and whether one answers. */
public final class BrokerHosts {

  private BrokerHosts() {}

  /** An environment variable, or the fallback when it is unset or blank (e.g. a broker host). */
  public static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  /** Whether something accepts a TCP connection there within 3 s. */
  public static boolean reachable(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 3_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
