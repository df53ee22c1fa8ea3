package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The floor under the in-memory binding: the order serialized with Jackson, handed to one consumer thread through an
 * {@link ArrayBlockingQueue}, and read back. No envelope, no headers, no acknowledgement.
 */
final class QueueSide implements Side {

  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(65_536);
  private final Thread consumer;
  private volatile boolean running = true;

  QueueSide(Receiver receiver) {
    consumer = new Thread(() -> {
      try {
        while (running) {
          byte[] body = queue.poll(100, TimeUnit.MILLISECONDS);
          if (body != null) {
            receiver.received(Orders.read(body));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "queue-consumer");
    consumer.setDaemon(true);
    consumer.start();
  }

  @Override
  public String label() {
    return "queue hand-off";
  }

  @Override
  public void send(Order order, Confirmation confirmation) throws InterruptedException {
    queue.put(Orders.json(order));
    confirmation.confirmed();
  }

  @Override
  public void close() {
    running = false;
    try {
      consumer.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
