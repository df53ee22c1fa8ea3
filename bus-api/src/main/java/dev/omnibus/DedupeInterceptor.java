package dev.omnibus;

import io.cloudevents.CloudEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skips an event one consumer already handled (same {@code source} and {@code id}): the innermost step of a consumer's
 * handling, run by the {@link Dispatcher} inside every interceptor (so that it knows a duplicate from a handled event),
 * so an event is remembered only after its handler returned.
 *
 * @param prefix what makes the keys of one consumer (channel and group) distinct in a shared store
 */
record DedupeInterceptor(DedupeStore store, String prefix) implements Interceptor {

  private static final Logger LOG = LoggerFactory.getLogger(DedupeInterceptor.class);

  @Override
  public void aroundHandle(Handling handling, HandleChain next) throws Exception {
    String key = key(handling.event());
    if (store.wasHandled(key)) {
      LOG.debug("Event {} from {} was handled already by this consumer: acknowledged as a duplicate",
          handling.event().getId(), handling.event().getSource());
      return;
    }
    next.proceed(handling);
    store.markHandled(key);
  }

  /** The key under which this consumer remembers an event. */
  String key(CloudEvent event) {
    return prefix + event.getSource() + " " + event.getId();
  }
}
