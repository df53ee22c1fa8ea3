package dev.omnibus.asyncapi;

import dev.omnibus.Interceptor;
import dev.omnibus.ValidationException;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks payloads against the document's schemas: an invalid payload is refused before anything is sent, and an
 * invalid received one is refused before its handler runs (the bus then dead-letters it at once). A responder's reply
 * is checked as an event (an error reply carries no data). Dead letters and replays pass unchecked: they carry what
 * was received. Thread-safe.
 */
public final class PayloadValidation implements Interceptor {

  private final PayloadContract contract;

  PayloadValidation(PayloadContract contract) {
    this.contract = contract;
  }

  @Override
  public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
    if (publishing.kind() == Kind.EVENT
        || (publishing.kind() == Kind.REPLY && publishing.event().getExtension("replyerror") == null)) {
      CloudEvent event = publishing.event();
      try {
        contract.checkPublish(publishing.channel(), event.getType(), bytes(event), event.getDataContentType());
      } catch (ValidationException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return next.proceed(publishing);
  }

  @Override
  public void aroundHandle(Handling handling, HandleChain next) throws Exception {
    CloudEvent event = handling.event();
    List<ValidationException.Violation> violations = contract.checkReceive(handling.channel(), event.getType(),
        bytes(event), event.getDataContentType());
    if (!violations.isEmpty()) {
      throw ValidationException.received(event.getType(), handling.channel(), violations);
    }
    next.proceed(handling);
  }

  private static byte @org.jspecify.annotations.Nullable [] bytes(CloudEvent event) {
    CloudEventData data = event.getData();
    return data == null ? null : data.toBytes();
  }
}
