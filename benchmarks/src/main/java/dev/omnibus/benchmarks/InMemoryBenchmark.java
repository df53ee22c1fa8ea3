package dev.omnibus.benchmarks;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.EventBus;
import dev.omnibus.memory.InMemoryBroker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * In-memory publish to handler, end to end: each operation is one event published with {@link EventBus#publish} and
 * handled by a group subscription's handler, through the envelope (encode on publish, decode and payload decoding on
 * delivery) as on every binding. An invocation publishes {@value #BATCH} events and waits until the handler has seen
 * them all, so the score is handled events per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class InMemoryBenchmark {

  static final int BATCH = 10_000;

  private final AtomicLong handled = new AtomicLong();
  private InMemoryBroker broker;
  private EventBus bus;
  private long published;

  @Setup(Level.Trial)
  public void setUp() {
    broker = InMemoryBroker.create();
    bus = EventBus.builder()
        .server(broker.server())
        .channel(Orders.CHANNEL, "orders.placed")
        .source(Orders.SOURCE)
        .build();
    bus.subscribe(Orders.ORDER_PLACED, "billing", event -> {
      if (event.data() != null) {
        handled.incrementAndGet();
      }
    });
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    bus.close();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long publishToHandler() {
    long first = published;
    for (int i = 0; i < BATCH; i++) {
      bus.publish(Orders.ORDER_PLACED.event(Orders.order(first + i, 0L))
          .extension("traceparent", Orders.TRACEPARENT)
          .build());
    }
    published = first + BATCH;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (handled.get() < published) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("handled " + handled.get() + " of " + published + " in 60 s");
      }
      LockSupport.parkNanos(20_000);
    }
    return handled.get();
  }
}
