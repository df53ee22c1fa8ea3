package dev.omnibus.mqtt.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Stable member indexes for the members of a consumer group, per JVM.
 *
 * <p>A group's persistent session lives on the broker under its client id: a consumer that restarts must present the
 * same id to get what it missed, yet two members of one group and filter in one JVM need different sessions (one
 * session holds one subscription per filter), and two transports must not share one (the broker would take one
 * session over with the other). So each member of (server, shared filter) gets an index: the index of a session
 * parked with its subscription by the last member to leave is taken first, else the lowest index no live member of
 * the filter holds; in both cases an index another live transport uses for the same group ({@code family}) is passed
 * over. The sessions of one index are {@link GroupSessions}'s. Across processes the base of the client ids tells
 * instances apart (the server binding's {@code clientId}, else the host name).
 *
 * <p>Thread-safe; one registry per JVM, shared by every transport.
 */
final class GroupMembers {

  private static final Object LOCK = new Object();
  private static final Map<String, Members> BY_KEY = new HashMap<>();
  private static final Map<String, Family> FAMILIES = new HashMap<>();

  private GroupMembers() {}

  /** A member's hold on an index. */
  record Lease(String key, String family, int index) {

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
        if (!members.live.remove(index)) {
          return;
        }
        if (parked) {
          members.parked.add(index);
        }
        Family owners = FAMILIES.get(family);
        if (owners != null && owners.live.merge(index, -1, Integer::sum) <= 0) {
          owners.live.remove(index);
          owners.owner.remove(index);
        }
      }
    }
  }

  /**
   * Takes an index for a new member of the group subscription named by the key.
   *
   * @param family names the group on its server and client id base: an index is used by one owner at a time
   * @param owner the transport the member belongs to
   */
  static Lease lease(String key, String family, Object owner) {
    synchronized (LOCK) {
      Members members = BY_KEY.computeIfAbsent(key, k -> new Members());
      Family owners = FAMILIES.computeIfAbsent(family, k -> new Family());
      Integer index = null;
      for (Integer parked : members.parked) {
        if (owners.mayUse(parked, owner)) {
          index = parked;
          break;
        }
      }
      if (index != null) {
        members.parked.remove(index);
      } else {
        index = 0;
        while (members.live.contains(index) || !owners.mayUse(index, owner)) {
          index++;
        }
      }
      members.live.add(index);
      owners.owner.put(index, owner);
      owners.live.merge(index, 1, Integer::sum);
      return new Lease(key, family, index);
    }
  }

  /** Which transport uses each index of a group, and how many live members it has there. */
  private static final class Family {
    final Map<Integer, Object> owner = new HashMap<>();
    final Map<Integer, Integer> live = new HashMap<>();

    boolean mayUse(int index, Object candidate) {
      Object current = owner.get(index);
      return current == null || current == candidate;
    }
  }

  private static final class Members {
    final TreeSet<Integer> live = new TreeSet<>();
    final TreeSet<Integer> parked = new TreeSet<>();
  }
}
