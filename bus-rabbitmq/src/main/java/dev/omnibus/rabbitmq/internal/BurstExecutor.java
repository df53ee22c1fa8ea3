package dev.omnibus.rabbitmq.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks on the transport's workers a burst at a time: the completions of sends' stages, off the connection's
 * thread (a caller's callback that blocks there would stall every confirm).
 *
 * <p>Why not a task per completion: one basic.ack confirms hundreds of sends, and handing each to the cached pool on
 * its own took a thread hand-off per event (a park and unpark, and a new thread whenever none was idle: dozens of
 * workers under load), a cost the raw client, completing on the connection thread, does not pay. Here a worker takes
 * every completion queued and runs them one after the other.
 *
 * <p>A callback may still block without holding up the others: before running a task, a worker that sees more queued
 * behind it makes sure another worker is on its way, so no queued task waits for a running one.
 *
 * <p>Thread-safe.
 */
final class BurstExecutor implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(BurstExecutor.class);

  private final Executor workers;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  /** Whether a worker is on its way that has not begun taking tasks yet. */
  private final AtomicBoolean scheduled = new AtomicBoolean();

  BurstExecutor(Executor workers) {
    this.workers = workers;
  }

  /**
   * Queues a task.
   *
   * @throws RejectedExecutionException when the workers refuse it (they are shut down); the task is not run then
   */
  @Override
  public void execute(Runnable task) {
    queue.add(task);
    try {
      schedule();
    } catch (RejectedExecutionException e) {
      queue.remove(task);
      throw e;
    }
  }

  private void schedule() {
    if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
      try {
        workers.execute(this::drain);
      } catch (RejectedExecutionException e) {
        scheduled.set(false);
        throw e;
      }
    }
  }

  private void drain() {
    scheduled.set(false);
    for (Runnable task; (task = queue.poll()) != null; ) {
      if (!queue.isEmpty()) {
        try {
          // Should this task block, the ones behind it are taken by another worker.
          schedule();
        } catch (RejectedExecutionException e) {
          // Shutting down: this worker runs what is left.
        }
      }
      try {
        task.run();
      } catch (RuntimeException | Error e) {
        LOG.warn("A completion threw; the next ones run all the same", e);
      }
    }
  }
}
