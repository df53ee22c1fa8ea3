package dev.omnibus.asyncapi;

import dev.omnibus.ValidationException;
import dev.omnibus.ValidationException.Violation;
import dev.omnibus.ValidationMode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The compiled payload schemas of one bus. Immutable but for its log-once memory; thread-safe. */
final class CompiledContract implements PayloadContract {

  private static final Logger LOG = LoggerFactory.getLogger(CompiledContract.class);

  private final ValidationMode mode;
  private final Map<String, AsyncApiContracts.Lookup> publish;
  private final Map<String, AsyncApiContracts.Lookup> receive;
  private final Set<String> loggedOnce = ConcurrentHashMap.newKeySet();

  CompiledContract(ValidationMode mode, Map<String, AsyncApiContracts.Lookup> publish,
      Map<String, AsyncApiContracts.Lookup> receive) {
    this.mode = mode;
    this.publish = Map.copyOf(publish);
    this.receive = Map.copyOf(receive);
  }

  @Override
  public void checkPublish(String channelId, String eventType, byte @Nullable [] payload,
      @Nullable String contentType) {
    List<Violation> violations = violations(publish, channelId, eventType, payload, contentType);
    if (violations.isEmpty()) {
      return;
    }
    ValidationException invalid = ValidationException.of(eventType, channelId, violations);
    if (mode == ValidationMode.ENFORCE) {
      throw invalid;
    }
    LOG.warn("{} (validation is WARN: sent anyway)", invalid.getMessage());
  }

  @Override
  public List<Violation> checkReceive(String channelId, String eventType, byte @Nullable [] payload,
      @Nullable String contentType) {
    List<Violation> violations = violations(receive, channelId, eventType, payload, contentType);
    if (violations.isEmpty() || mode == ValidationMode.ENFORCE) {
      return violations;
    }
    LOG.warn("{} (validation is WARN: handled anyway)",
        ValidationException.received(eventType, channelId, violations).getMessage());
    return List.of();
  }

  private List<Violation> violations(Map<String, AsyncApiContracts.Lookup> lookups, String channelId,
      String eventType, byte @Nullable [] payload, @Nullable String contentType) {
    if (mode == ValidationMode.OFF || payload == null) {
      return List.of(); // an event without data has no payload to check
    }
    AsyncApiContracts.Lookup lookup = lookups.get(channelId);
    AsyncApiContracts.Entry entry = lookup == null ? null : lookup.find(eventType);
    if (entry == null || entry.schema() == null) {
      return List.of();
    }
    PayloadSchema.Reading reading = PayloadSchema.Reading.of(contentType);
    if (reading == PayloadSchema.Reading.BINARY) {
      if (loggedOnce.add(entry.path() + " " + contentType)) {
        LOG.info("Payloads of '{}' on channel '{}' sent as '{}' are not checked against the schema of message '{}':"
            + " a JSON schema cannot judge binary content", eventType, channelId, contentType, entry.messageName());
      }
      return List.of();
    }
    return entry.schema().validate(payload, reading);
  }
}
