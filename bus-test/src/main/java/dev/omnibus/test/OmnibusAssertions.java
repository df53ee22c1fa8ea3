package dev.omnibus.test;

/**
 * The entry point of the kit's assertions, beside AssertJ's own (both {@code assertThat} can be imported statically).
 *
 * <pre>{@code
 * import static dev.omnibus.test.OmnibusAssertions.assertThat;
 *
 * assertThat(events).published(ORDER_PAID).containsExactly(new OrderPaid("o-1", 4599, "EUR"));
 * assertThat(events).deadLettered(ORDER_PLACED).singleElement()
 *     .satisfies(letter -> assertThat(letter.reason()).isEqualTo("handler failed 5 times"));
 * }</pre>
 */
public final class OmnibusAssertions {

  private OmnibusAssertions() {}

  /** Assertions on what a bus published, consumed, failed and dead-lettered. */
  public static BusAssert assertThat(BusRecorder recorder) {
    return new BusAssert(recorder);
  }
}
