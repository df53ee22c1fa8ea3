package dev.omnibus.memory;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.validator.CloudEventValidator;

/**
 * A validator an application registers with the CloudEvents SDK ({@code META-INF/services}), which the SDK's builder
 * runs on every event it builds: this one refuses events carrying the extension {@value #REFUSED}, which no other test
 * uses.
 */
public final class SdkRegisteredValidator implements CloudEventValidator {

  static final String REFUSED = "sdkrefuses";
  static final String MESSAGE = "refused by a validator registered with the SDK";

  @Override
  public void validate(CloudEvent event) {
    if (event.getExtension(REFUSED) != null) {
      throw new IllegalStateException(MESSAGE);
    }
  }
}
