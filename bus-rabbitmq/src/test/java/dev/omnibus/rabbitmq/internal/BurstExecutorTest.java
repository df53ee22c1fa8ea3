package dev.omnibus.rabbitmq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Completions run a burst at a time on the workers, and one that blocks does not hold up the others. */
class BurstExecutorTest {

  /** Workers that run a task only when the test says so. */
  private static final class Manual implements java.util.concurrent.Executor {
    final Queue<Runnable> handedOver = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      handedOver.add(task);
    }

    void runAll() {
      for (Runnable task; (task = handedOver.poll()) != null; ) {
        task.run();
      }
    }
  }

  @Test
  void aBurstOfTasksIsHandedToTheWorkersOnceAndRunInOrder() {
    Manual workers = new Manual();
    BurstExecutor executor = new BurstExecutor(workers);
    List<Integer> ran = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 500; i++) {
      int n = i;
      executor.execute(() -> ran.add(n));
    }
    assertThat(workers.handedOver).hasSize(1);

    workers.handedOver.poll().run();

    assertThat(ran).hasSize(500).isSorted();
  }

  @Test
  void aTaskQueuedAfterTheWorkerFinishedIsHandedOverAgain() {
    Manual workers = new Manual();
    BurstExecutor executor = new BurstExecutor(workers);
    List<String> ran = new CopyOnWriteArrayList<>();
    executor.execute(() -> ran.add("first"));
    workers.runAll();
    executor.execute(() -> ran.add("second"));
    workers.runAll();
    assertThat(ran).containsExactly("first", "second");
  }

  @Test
  void aBlockingTaskDoesNotHoldUpTheTasksQueuedBehindIt() throws Exception {
    ExecutorService pool = Executors.newCachedThreadPool();
    try {
      CountDownLatch bothQueued = new CountDownLatch(1);
      // Workers that start only once both tasks are queued, so that one worker finds both.
      BurstExecutor executor = new BurstExecutor(task -> pool.execute(() -> {
        try {
          if (bothQueued.await(30, TimeUnit.SECONDS)) {
            task.run();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      CountDownLatch secondRan = new CountDownLatch(1);
      CountDownLatch firstDone = new CountDownLatch(1);
      executor.execute(() -> {
        try {
          // Blocks until the task queued behind it has run.
          if (secondRan.await(30, TimeUnit.SECONDS)) {
            firstDone.countDown();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      executor.execute(secondRan::countDown);
      bothQueued.countDown();

      assertThat(firstDone.await(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aTaskTheWorkersRefusedIsNotRunWithTheNextBurst() {
    Manual accepting = new Manual();
    boolean[] refuse = {true};
    BurstExecutor executor = new BurstExecutor(task -> {
      if (refuse[0]) {
        throw new RejectedExecutionException("shutting down");
      }
      accepting.execute(task);
    });
    List<String> ran = new CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> executor.execute(() -> ran.add("refused")))
        .isInstanceOf(RejectedExecutionException.class);

    refuse[0] = false;
    executor.execute(() -> ran.add("accepted"));
    accepting.runAll();

    // The caller ran the refused one itself (PublishWindow does): it must not run a second time.
    assertThat(ran).containsExactly("accepted");
  }
}
