package dev.omnibus.envelope;

/** How an event is carried by a message, as the CloudEvents protocol bindings define it. */
public enum Mode {
  /** Attributes in headers (or properties), the data as the message body. The default on every binding. */
  BINARY,
  /** The whole event serialized in the JSON event format ({@code application/cloudevents+json}) as the body. */
  STRUCTURED
}
