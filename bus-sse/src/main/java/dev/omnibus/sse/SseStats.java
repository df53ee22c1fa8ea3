package dev.omnibus.sse;

/**
 * What a {@link SseBridge} has done since it started: a snapshot of its counters, for tests, dashboards and a health
 * page.
 *
 * @param connected the clients whose stream is open now
 * @param accepted the streams opened so far
 * @param refused the requests the authentication hook denied
 * @param received the events the bridge received from the bus, on all its channels
 * @param delivered the events written to clients (one event to two clients counts two), replayed ones included;
 *     counted once a write completed, so a dropped client may have received a few more than counted
 * @param dropped the clients disconnected because they read too slowly: their queue was full when an event came
 */
public record SseStats(int connected, long accepted, long refused, long received, long delivered, long dropped) {

  /** Checks that no count is negative. */
  public SseStats {
    if (connected < 0 || accepted < 0 || refused < 0 || received < 0 || delivered < 0 || dropped < 0) {
      throw new IllegalArgumentException("counts must not be negative");
    }
  }
}
