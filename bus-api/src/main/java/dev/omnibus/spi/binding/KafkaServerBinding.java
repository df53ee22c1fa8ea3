package dev.omnibus.spi.binding;

import org.jspecify.annotations.Nullable;

/**
 * AsyncAPI Kafka server binding.
 *
 * @param schemaRegistryUrl the schema registry's URL, or {@code null}
 * @param schemaRegistryVendor the registry vendor, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
public record KafkaServerBinding(
    @Nullable String schemaRegistryUrl, @Nullable String schemaRegistryVendor, @Nullable String bindingVersion) {}
