package dev.omnibus.mqtt.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Stable client ids for the members of a consumer group, per JVM.
 *
 * <p>A group's persistent session lives on the broker under its client id: a consumer that restarts must present the
 * same id to get what it missed, yet two members of one group in one JVM need different ids (the broker would
 * otherwise take one session over with the other). So each member of (server, shared filter) gets the id
 * {@code <base>-<index>}: a session parked with its subscription by the last member to leave is taken first, else the
 * lowest index no live member holds. Across processes the base tells instances apart (the server binding's
 * {@code clientId}, else the host name).
 *
 * <p>Thread-safe; one registry per JVM, shared by every transport.
 */
final class GroupMembers {

  private static final Object LOCK = new Object();
  private static final Map<String, Members> BY_KEY = new HashMap<>();

  private GroupMembers() {}

  /** A member's hold on an index. */
  record Lease(String key, int index) {

    /**
     * Gives the index back. {@code parked}: the member left its session subscribed, so the broker keeps the group's
     * messages there and the next member should resume it.
     */
    void release(boolean parked) {
      synchronized (LOCK) {
        Members members = BY_KEY.get(key);
        if (members == null) {
          return;
        }
        members.live.remove(index);
        if (parked) {
          members.parked.add(index);
        }
      }
    }
  }

  /** Takes an index for a new member of the group subscription named by the key. */
  static Lease lease(String key) {
    synchronized (LOCK) {
      Members members = BY_KEY.computeIfAbsent(key, k -> new Members());
      int index;
      if (!members.parked.isEmpty()) {
        index = members.parked.pollFirst();
      } else {
        index = 0;
        while (members.live.contains(index)) {
          index++;
        }
      }
      members.live.add(index);
      return new Lease(key, index);
    }
  }

  private static final class Members {
    final TreeSet<Integer> live = new TreeSet<>();
    final TreeSet<Integer> parked = new TreeSet<>();
  }
}
