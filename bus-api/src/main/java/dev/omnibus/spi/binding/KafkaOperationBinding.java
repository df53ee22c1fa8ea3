package dev.omnibus.spi.binding;

import org.jspecify.annotations.Nullable;

/**
 * AsyncAPI Kafka operation binding. The document gives {@code groupId} and {@code clientId} as schemas; the value is
 * their {@code const}, or their single {@code enum} value.
 *
 * @param groupId the consumer group id, or {@code null}
 * @param clientId the client id, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
public record KafkaOperationBinding(
    @Nullable String groupId, @Nullable String clientId, @Nullable String bindingVersion) {}
