package dev.omnibus;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Runs a consumer's handlings on up to {@code n} threads while the handlings of one key run one at a time, in the order
 * they were submitted: each key with work has a lane (a queue) that one thread at a time serves, and a lane goes to the
 * back of the line after each task, so one slow or retrying key holds one thread, never the keys behind it. Tasks
 * without a key run in any order. At most {@code capacity} tasks are accepted and not yet finished; {@link #submit}
 * blocks the transport's thread beyond that, the back-pressure for a broker that pushes more than its prefetch.
 *
 * <p>Thread-safe: the transport's threads submit, the lanes' threads run, any thread stops.
 */
final class Lanes {

  /** A task that can also be dropped unrun, when the lanes stop before it started. */
  interface Task extends Runnable {
    /** The lanes stopped before this task ran. */
    void dropped();
  }

  /** How long a lane thread without work lives. */
  private static final Duration IDLE = Duration.ofSeconds(30);

  private final ExecutorService threads;
  private final Set<Thread> laneThreads = ConcurrentHashMap.newKeySet();
  private final Semaphore capacity;
  private final int permits;
  private final Object lock = new Object();
  private final Map<String, ArrayDeque<Task>> lanes = new HashMap<>(); // guarded by lock
  private volatile boolean stopped;

  Lanes(int n, int capacity, String name) {
    if (n < 1 || capacity < n) {
      throw new IllegalArgumentException("need 1 <= n <= capacity, was n=" + n + ", capacity=" + capacity);
    }
    this.permits = capacity;
    this.capacity = new Semaphore(capacity);
    AtomicInteger counter = new AtomicInteger();
    // Threads are made as keys have work and end after a while without, so an idle subscription keeps none.
    ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, IDLE.toNanos(), TimeUnit.NANOSECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(() -> {
            try {
              runnable.run();
            } finally {
              laneThreads.remove(Thread.currentThread());
            }
          }, name + "-" + counter.incrementAndGet());
          thread.setDaemon(true);
          laneThreads.add(thread);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    this.threads = pool;
  }

  /**
   * Queues a task behind the earlier ones of its key, waiting while {@code capacity} tasks are unfinished. A task
   * submitted after {@link #stop} (or while waiting when it stops) is dropped.
   */
  void submit(@Nullable String key, Task task) {
    try {
      capacity.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      task.dropped();
      return;
    }
    if (stopped) {
      capacity.release();
      task.dropped();
      return;
    }
    if (key == null) {
      execute(() -> runOne(task), task);
      return;
    }
    synchronized (lock) {
      ArrayDeque<Task> lane = lanes.get(key);
      if (lane != null) {
        lane.addLast(task);
        return;
      }
      lane = new ArrayDeque<>();
      lane.addLast(task);
      lanes.put(key, lane);
    }
    execute(() -> serve(key), task);
  }

  /** Runs the first task of a key's lane, then puts the lane back in line if it has more. */
  private void serve(String key) {
    Task task;
    synchronized (lock) {
      task = lanes.get(key).peekFirst();
    }
    runOne(task);
    synchronized (lock) {
      ArrayDeque<Task> lane = lanes.get(key);
      lane.pollFirst();
      if (lane.isEmpty()) {
        lanes.remove(key);
        return;
      }
    }
    execute(() -> serve(key), null);
  }

  private void runOne(Task task) {
    try {
      if (stopped) {
        task.dropped();
      } else {
        task.run();
      }
    } finally {
      capacity.release();
    }
  }

  private void execute(Runnable work, @Nullable Task task) {
    try {
      threads.execute(work);
    } catch (RejectedExecutionException e) {
      // Stopped meanwhile: what is left of the lanes is dropped by stop().
      if (task != null && !stopped) {
        throw e;
      }
    }
  }

  /**
   * Stops: drops the tasks not yet started, lets the running ones finish for at most the given time, and releases a
   * transport thread waiting in {@link #submit}. Returns whether the running ones finished.
   */
  boolean stop(Duration timeout) {
    stopped = true;
    capacity.release(permits); // wakes submitters, who see stopped
    ArrayDeque<Task> left = new ArrayDeque<>();
    synchronized (lock) {
      for (ArrayDeque<Task> lane : lanes.values()) {
        // The head of a lane may be running: its thread finishes it; the rest never start.
        lane.stream().skip(1).forEach(left::add);
        Task head = lane.peekFirst();
        lane.clear();
        if (head != null) {
          lane.add(head);
        }
      }
    }
    for (Task task : left) {
      task.dropped();
    }
    threads.shutdown();
    if (isLaneThread()) {
      return false; // a handler stopping its own consumer: the others finish on their own
    }
    try {
      return threads.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether the calling thread is one of these lanes' (a handler closing its own subscription). */
  boolean isLaneThread() {
    return laneThreads.contains(Thread.currentThread());
  }
}
