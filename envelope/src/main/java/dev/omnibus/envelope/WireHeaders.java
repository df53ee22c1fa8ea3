package dev.omnibus.envelope;

import io.cloudevents.core.v1.CloudEventV1;
import java.time.OffsetDateTime;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The headers of a {@link WireMessage} as a compact immutable map: names and values side by side in arrays, in the
 * order they were added, without hashing. A binding builds one per received message with a {@link Builder}, which
 * applies the rule of every Omnibus binding for a header given twice: the first value counts (see docs/delivery.md),
 * so that a bridge appending a header cannot override what the producer wrote. A {@link WireMessage} keeps these
 * headers as they are, where it copies any other map.
 *
 * <p>Why not a {@code HashMap} and {@code Map.copyOf}: a received message's handful of headers is read once, in order,
 * by the envelope codec; hashing each freshly decoded name twice (once to build, once to copy) was a tenth of a Kafka
 * consumer thread's time.
 *
 * <p>Immutable and thread-safe. Like {@code Map.copyOf}'s maps it refuses {@code null} names and values, and
 * {@code get(null)} throws {@link NullPointerException}. Lookups by name are linear up to {@value #INDEXED_FROM} headers
 * and hashed from there on.
 *
 * <pre>{@code
 * WireHeaders.Builder headers = WireHeaders.builder(2);
 * headers.add("ce_id", "1");
 * headers.add("ce_id", "2"); // ignored: the first value counts
 * WireHeaders built = headers.build(); // {ce_id=1}
 * }</pre>
 */
public final class WireHeaders extends AbstractMap<String, String> {

  /** From this many headers on, names are looked up in a hash index rather than by a linear scan. */
  static final int INDEXED_FROM = 16;

  private static final String[] NONE = new String[0];
  private static final WireHeaders EMPTY = new WireHeaders(NONE, NONE, 0, null, null, null, null, 0);

  private final String[] names;
  private final String[] values;
  private final int size;
  /** Position of each name, only when there are many; otherwise {@code null}. */
  private final @Nullable Map<String, Integer> index;
  private @Nullable Set<Map.Entry<String, String>> entries;
  /**
   * The convention whose {@link EnvelopeCodec#encode} built these headers from an event it had validated, or
   * {@code null}: set by nothing else, so {@link EnvelopeCodec#decodeInProcess} can tell them from headers of unknown
   * origin. Not part of equality.
   */
  final @Nullable HeaderConvention encodedBy;
  /**
   * The event time whose text that encode wrote to the time header, when the text reads back as exactly this time, or
   * {@code null}: {@link EnvelopeCodec#decodeInProcess} takes it instead of parsing the text again. Not part of
   * equality.
   */
  final @Nullable OffsetDateTime encodedTime;
  /**
   * The event that encode wrote these headers from, when it is the SDK's immutable {@link CloudEventV1}, else
   * {@code null}: {@link EnvelopeCodec#decodeInProcess} takes its attributes instead of reading them back from the
   * text written from them. Not part of equality.
   */
  final @Nullable CloudEventV1 encodedFrom;
  /** The position of the first extension header that encode wrote, after the context attributes. */
  final int extensionsFrom;

  private WireHeaders(String[] names, String[] values, int size, @Nullable Map<String, Integer> index,
      @Nullable HeaderConvention encodedBy, @Nullable OffsetDateTime encodedTime, @Nullable CloudEventV1 encodedFrom,
      int extensionsFrom) {
    this.names = names;
    this.values = values;
    this.size = size;
    this.index = index;
    this.encodedBy = encodedBy;
    this.encodedTime = encodedTime;
    this.encodedFrom = encodedFrom;
    this.extensionsFrom = extensionsFrom;
  }

  /** A builder for about {@code expected} headers (more may be added). */
  public static Builder builder(int expected) {
    return new Builder(expected);
  }

  /** No headers. */
  public static WireHeaders empty() {
    return EMPTY;
  }

  /**
   * The given map's headers as {@code WireHeaders}: the map itself when it is one, else a copy in its iteration order.
   *
   * @throws NullPointerException when a name or value is {@code null}
   */
  public static WireHeaders copyOf(Map<String, String> headers) {
    if (headers instanceof WireHeaders wire) {
      return wire;
    }
    if (headers.isEmpty()) {
      return EMPTY;
    }
    Builder builder = new Builder(headers.size());
    for (Map.Entry<String, String> header : headers.entrySet()) {
      builder.add(header.getKey(), header.getValue());
    }
    return builder.build();
  }

  /** The name of the header at a position, {@code 0 <= position < size()}, in the order the headers were added. */
  public String name(int position) {
    Objects.checkIndex(position, size);
    return names[position];
  }

  /** The value of the header at a position, {@code 0 <= position < size()}, in the order the headers were added. */
  public String value(int position) {
    Objects.checkIndex(position, size);
    return values[position];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public boolean containsKey(Object name) {
    return positionOf(Objects.requireNonNull(name, "name")) >= 0;
  }

  @Override
  public @Nullable String get(Object name) {
    int position = positionOf(Objects.requireNonNull(name, "name"));
    return position < 0 ? null : values[position];
  }

  private int positionOf(Object name) {
    if (index != null) {
      Integer position = index.get(name);
      return position == null ? -1 : position;
    }
    for (int i = 0; i < size; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Map.Entry<String, String>> entrySet() {
    Set<Map.Entry<String, String>> set = entries;
    if (set == null) {
      set = new Entries();
      entries = set;
    }
    return set;
  }

  private final class Entries extends AbstractSet<Map.Entry<String, String>> {
    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
      return new Iterator<>() {
        private int next;

        @Override
        public boolean hasNext() {
          return next < size;
        }

        @Override
        public Map.Entry<String, String> next() {
          if (next >= size) {
            throw new NoSuchElementException();
          }
          int position = next++;
          return new SimpleImmutableEntry<>(names[position], values[position]);
        }
      };
    }

    @Override
    public int size() {
      return size;
    }
  }

  /**
   * Collects the headers of one message; the first value of a name counts, later ones are ignored. Not thread-safe:
   * one builder per message, used by one thread.
   */
  public static final class Builder {
    private String[] names;
    private String[] values;
    private int size;
    private @Nullable HashMap<String, Integer> index;
    /**
     * One bit per name length (modulo 64) added so far: a name whose length's bit is clear equals none of them, so most
     * names are added without a comparison (a received Kafka record's eight headers took 28 of them, a fiftieth of
     * the consumer thread's time in a profile of the Kafka benchmark).
     */
    private long lengths;
    private boolean built;

    private Builder(int expected) {
      int capacity = Math.max(1, expected);
      names = new String[capacity];
      values = new String[capacity];
    }

    /**
     * Adds a header unless one of that name (compared exactly, as a map's keys are) was added before.
     *
     * @return whether it was added: {@code false} for a name given again, whose first value counts
     * @throws NullPointerException when the name or value is {@code null}
     * @throws IllegalStateException after {@link #build()}
     */
    public boolean add(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (built) {
        throw new IllegalStateException("add() after build(): a builder makes one WireHeaders");
      }
      if (contains(name)) {
        return false;
      }
      append(name, value);
      if (index != null) {
        index.put(name, size);
      } else if (size + 1 == INDEXED_FROM) {
        // Many headers (a record is allowed thousands): a linear check per header would make this quadratic.
        index = new HashMap<>();
        for (int i = 0; i <= size; i++) {
          index.put(names[i], i);
        }
      }
      size++;
      return true;
    }

    /**
     * Adds a header whose name the caller knows differs from every name added before: encode's context attributes,
     * each written once under its own name (checking them cost a fiftieth of publishing to the in-memory broker).
     */
    void addDistinct(String name, String value) {
      if (built || size + 1 >= INDEXED_FROM) {
        add(name, value); // which refuses a built builder, or keeps the index up
        return;
      }
      append(name, value);
      size++;
    }

    /** Puts a header at position {@link #size}, growing the arrays when full; the caller then counts it. */
    private void append(String name, String value) {
      if (size == names.length) {
        names = Arrays.copyOf(names, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      names[size] = name;
      values[size] = value;
      lengths |= lengthBit(name);
    }

    private boolean contains(String name) {
      if (index != null) {
        return index.containsKey(name);
      }
      if ((lengths & lengthBit(name)) == 0) {
        return false;
      }
      for (int i = 0; i < size; i++) {
        if (names[i].equals(name)) {
          return true;
        }
      }
      return false;
    }

    private static long lengthBit(String name) {
      return 1L << name.length(); // a shift takes its distance modulo 64
    }

    /** How many headers were added so far. */
    int size() {
      return size;
    }

    /** The headers added so far; the builder cannot be used afterwards. */
    public WireHeaders build() {
      return build(null, null, null, 0);
    }

    /**
     * Builds headers that {@code EnvelopeCodec.encode} wrote for a validated event of the given convention, with the
     * event's time when the time header's text reads back as exactly that time, the event itself when it is immutable,
     * and where its extension headers start.
     */
    WireHeaders build(@Nullable HeaderConvention encodedBy, @Nullable OffsetDateTime encodedTime,
        @Nullable CloudEventV1 encodedFrom, int extensionsFrom) {
      built = true;
      if (size == 0) {
        return EMPTY;
      }
      return new WireHeaders(names, values, size, index, encodedBy, encodedTime, encodedFrom, extensionsFrom);
    }
  }
}
