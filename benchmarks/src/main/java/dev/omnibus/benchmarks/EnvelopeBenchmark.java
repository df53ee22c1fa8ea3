package dev.omnibus.benchmarks;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The envelope against the CloudEvents SDK's own Jackson JSON format ({@link JsonFormat}), on the same event: the
 * 300-byte order with eight binary-mode attributes. Omnibus maps to Kafka's header convention ({@code ce_*}); binary
 * mode writes headers and leaves the body as is, structured mode writes the JSON event format.
 *
 * <p>The round trips ({@code encode} then {@code decode}) are what the targets compare: every event is encoded once
 * and decoded once.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EnvelopeBenchmark {

  private CloudEvent event;
  /** The same event with its data marked as the bus's own JSON, as the kernel hands its Jackson output over. */
  private CloudEvent producedJsonEvent;
  private EnvelopeCodec codec;
  private JsonFormat sdk;
  private WireMessage binary;
  private WireMessage structured;
  private byte[] sdkBytes;

  @Setup
  public void setUp() {
    event = Orders.cloudEvent();
    producedJsonEvent = CloudEventBuilder.v1(event)
        .withData(event.getDataContentType(), EnvelopeCodec.producedJson(event.getData().toBytes())).build();
    codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    sdk = new JsonFormat();
    binary = codec.encode(event, Mode.BINARY);
    structured = codec.encode(event, Mode.STRUCTURED);
    sdkBytes = sdk.serialize(event);
    if (binary.headers().size() != 7 || binary.contentType() == null) {
      throw new IllegalStateException("expected 7 ce_ headers and a content type, got " + binary);
    }
  }

  @Benchmark
  public WireMessage omnibusEncodeBinary() {
    return codec.encode(event, Mode.BINARY);
  }

  @Benchmark
  public CloudEvent omnibusDecodeBinary() {
    return codec.decode(binary);
  }

  @Benchmark
  public WireMessage omnibusEncodeStructured() {
    return codec.encode(event, Mode.STRUCTURED);
  }

  /** Structured encode of data the bus's own Jackson codec wrote: no re-check of the data bytes. */
  @Benchmark
  public WireMessage omnibusEncodeStructuredProducedJson() {
    return codec.encode(producedJsonEvent, Mode.STRUCTURED);
  }

  @Benchmark
  public CloudEvent omnibusDecodeStructured() {
    return codec.decode(structured);
  }

  @Benchmark
  public byte[] sdkJsonSerialize() {
    return sdk.serialize(event);
  }

  @Benchmark
  public CloudEvent sdkJsonDeserialize() {
    return sdk.deserialize(sdkBytes);
  }

  @Benchmark
  public CloudEvent omnibusRoundTripBinary() {
    return codec.decode(codec.encode(event, Mode.BINARY));
  }

  @Benchmark
  public CloudEvent omnibusRoundTripStructured() {
    return codec.decode(codec.encode(event, Mode.STRUCTURED));
  }

  /** The structured round trip as the bus makes it: the data from its JSON codec, known to be JSON. */
  @Benchmark
  public CloudEvent omnibusRoundTripStructuredProducedJson() {
    return codec.decode(codec.encode(producedJsonEvent, Mode.STRUCTURED));
  }

  @Benchmark
  public CloudEvent sdkJsonRoundTrip() {
    return sdk.deserialize(sdk.serialize(event));
  }
}
