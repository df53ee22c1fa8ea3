package dev.omnibus.benchmarks;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.PayloadCodec;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The payload alone: the bus's JSON codec against plain Jackson on the order record. Not a target, a reference: every
 * event on every binding pays one encode on publish and one decode on delivery, whatever the envelope costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PayloadBenchmark {

  private Order order;
  private byte[] json;
  private PayloadCodec<Order> codec;

  @Setup
  public void setUp() {
    order = Orders.order(7, 1_234_567_890_123L);
    json = Orders.json(order);
    codec = Orders.ORDER_PLACED.codec();
  }

  @Benchmark
  public byte[] busCodecEncode() {
    return codec.encode(order);
  }

  @Benchmark
  public Order busCodecDecode() {
    return codec.decode(json);
  }

  @Benchmark
  public byte[] jacksonWrite() {
    return Orders.json(order);
  }

  @Benchmark
  public Order jacksonRead() {
    return Orders.read(json);
  }
}
