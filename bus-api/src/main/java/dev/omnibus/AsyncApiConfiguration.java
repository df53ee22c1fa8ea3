package dev.omnibus;

/** Resolves a builder with an AsyncAPI document. */
final class AsyncApiConfiguration {

  private AsyncApiConfiguration() {}

  static Configuration resolve(EventBus.Builder builder) {
    throw ConfigurationException.of("AsyncAPI documents are not supported yet");
  }
}
