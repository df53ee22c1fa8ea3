package dev.omnibus.kafka.internal;

import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI Kafka server binding, as {@link KafkaBindings} read it.
 *
 * @param schemaRegistryUrl the schema registry's URL, or {@code null}
 * @param schemaRegistryVendor the registry vendor, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
record KafkaServerBinding(
    @Nullable String schemaRegistryUrl, @Nullable String schemaRegistryVendor, @Nullable String bindingVersion) {}
