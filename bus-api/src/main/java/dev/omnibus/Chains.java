package dev.omnibus;

import dev.omnibus.Interceptor.HandleChain;
import dev.omnibus.Interceptor.Handling;
import dev.omnibus.Interceptor.Outcome;
import dev.omnibus.Interceptor.PublishChain;
import dev.omnibus.Interceptor.Publishing;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interceptors of a bus (or of one consumer), run in order around a terminal step. An empty chain calls the
 * terminal step directly, so a bus without interceptors pays nothing for them. Immutable and thread-safe.
 */
final class Chains {

  private static final Logger LOG = LoggerFactory.getLogger(Chains.class);
  private static final Chains EMPTY = new Chains(List.of());

  private final Interceptor[] interceptors;

  private Chains(List<Interceptor> interceptors) {
    this.interceptors = interceptors.toArray(Interceptor[]::new);
  }

  static Chains of(List<Interceptor> interceptors) {
    return interceptors.isEmpty() ? EMPTY : new Chains(interceptors);
  }

  /** Whether the chain has no interceptor, so that nothing needs to be told to it. */
  boolean isEmpty() {
    return interceptors.length == 0;
  }

  /** Runs a publish through the chain; an interceptor that throws fails the stage with what it threw. */
  CompletionStage<Void> publish(Publishing publishing, PublishChain terminal) {
    if (interceptors.length == 0) {
      return terminal.proceed(publishing);
    }
    return new PublishStep(0, terminal).proceed(publishing);
  }

  /** Runs a handling through the chain. */
  void handle(Handling handling, HandleChain terminal) throws Exception {
    if (interceptors.length == 0) {
      terminal.proceed(handling);
      return;
    }
    new HandleStep(0, terminal).proceed(handling);
  }

  /**
   * Tells every interceptor what became of a delivery, in order. One that throws is logged and the others are told
   * still: observing a delivery must not change how it is settled.
   */
  void outcome(Outcome outcome) {
    for (Interceptor interceptor : interceptors) {
      try {
        interceptor.onOutcome(outcome);
      } catch (RuntimeException e) {
        LOG.warn("Interceptor {} failed on the outcome {} of an event of channel '{}'; ignored", interceptor,
            outcome.result(), outcome.channel(), e);
      }
    }
  }

  private final class PublishStep implements PublishChain {
    private final int index;
    private final PublishChain terminal;

    PublishStep(int index, PublishChain terminal) {
      this.index = index;
      this.terminal = terminal;
    }

    @Override
    public CompletionStage<Void> proceed(Publishing publishing) {
      if (index == interceptors.length) {
        return terminal.proceed(publishing);
      }
      try {
        return interceptors[index].aroundPublish(publishing, new PublishStep(index + 1, terminal));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  private final class HandleStep implements HandleChain {
    private final int index;
    private final HandleChain terminal;

    HandleStep(int index, HandleChain terminal) {
      this.index = index;
      this.terminal = terminal;
    }

    @Override
    public void proceed(Handling handling) throws Exception {
      if (index == interceptors.length) {
        terminal.proceed(handling);
      } else {
        interceptors[index].aroundHandle(handling, new HandleStep(index + 1, terminal));
      }
    }
  }
}
