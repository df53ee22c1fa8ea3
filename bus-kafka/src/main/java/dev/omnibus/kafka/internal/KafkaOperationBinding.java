package dev.omnibus.kafka.internal;

import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI Kafka operation binding, as {@link KafkaBindings} read it. The document gives {@code groupId} and
 * {@code clientId} as schemas; the value is their {@code const}, or their single {@code enum} value.
 *
 * @param groupId the consumer group id the document names, or {@code null}; groups are chosen at subscribe, so it
 *     is checked but never makes an anonymous subscription join a group
 * @param clientId the client id of the operation's consumers, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
record KafkaOperationBinding(
    @Nullable String groupId, @Nullable String clientId, @Nullable String bindingVersion) {}
