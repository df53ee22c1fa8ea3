package dev.omnibus.examples.boot;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** The orders billing charged, in memory (a real service keeps them in its database). Thread-safe. */
@Component
public class Ledger {

  private final Set<String> paid = ConcurrentHashMap.newKeySet();

  void charged(String orderId) {
    paid.add(orderId);
  }

  boolean isPaid(String orderId) {
    return paid.contains(orderId);
  }
}
