package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link QuickJsonCheck} may say "not sure" to anything, but never "JSON" to bytes Jackson (configured as the reader
 * is) refuses; and it says "JSON" to the common shapes, or it would only cost time.
 */
class QuickJsonCheckTest {

  private static final byte[] INTERESTING = {'"', '\\', '{', '}', '[', ']', ':', ',', '0', '1', '-', '+', '.', 'e',
      'E', 'u', 'n', 't', ' ', '\t', '\n', 0x00, 0x1F, 0x7F, (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xC3,
      (byte) 0xE2, (byte) 0xED, (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF};

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"orderId\":\"ord-2026-11-100007\",\"lines\":[{\"sku\":\"SKU-1\",\"quantity\":2,\"unitPriceMinor\":1299}],"
          + "\"totalMinor\":7197,\"currency\":\"EUR\",\"shipTo\":\"10115 Berlin, DE\",\"sentAtNanos\":1234567890123}",
      " [ 1 , -0.5e+3, 2E-2, true, false, null, {} , [ ] ]\n",
      "\"é ✓ 🌎 \\\"quoted\\\" \\u00e9 \\n\"",
      "{\"é\":{\"✓\":[{\"a\":{}}]},\"a\":1}",
      "0", "-0", "123.456", "null"})
  void saysJsonToTheCommonShapes(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThat(QuickJsonCheck.isCertainlyJson(bytes)).isTrue();
    assertThat(StructuredWireFormatTest.ReferenceWriter.isJsonText(bytes)).isTrue();
  }

  /**
   * The word-at-a-time scan stops where a byte-by-byte one does: every byte value at every position of runs longer and
   * shorter than a word, after a prefix of each length, and behind another stopping byte (whose borrow may flag the
   * bytes above it).
   */
  @Test
  void findsTheEndOfAPlainRunAsAByteByByteScanDoes() {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (int length = 0; length <= 24; length++) {
      for (int from = 0; from <= Math.min(length, 9); from++) {
        for (int position = from; position < length; position++) {
          for (int value = 0; value < 256; value++) {
            for (int before : new int[] {-1, 0x00, 0x1F, 0xFF, '"'}) {
              byte[] in = new byte[length];
              Arrays.fill(in, (byte) 'a');
              in[position] = (byte) value;
              if (before >= 0 && position > from) {
                in[position - 1] = (byte) before;
              }
              if (QuickJsonCheck.plainEnd(in, from) != plainEndByteByByte(in, from)) {
                wrong.add(HexFormat.of().formatHex(in) + " from " + from);
              }
              checked++;
            }
          }
        }
        assertThat(QuickJsonCheck.plainEnd(new byte[length], from)).isEqualTo(from == length ? length : from);
      }
    }
    assertThat(wrong).isEmpty();
    assertThat(checked).isGreaterThan(100_000);
  }

  @Test
  void takesDeleteAsJsonThoughNotAsPlain() {
    byte[] json = "{\"a\":\"x\u007Fy\"}".getBytes(StandardCharsets.UTF_8);

    assertThat(QuickJsonCheck.isCertainlyJson(json)).isTrue();
    assertThat(QuickJsonCheck.plainEnd(json, 6)).isEqualTo(7);
  }

  private static int plainEndByteByByte(byte[] in, int from) {
    int i = from;
    while (i < in.length && (in[i] & 0xFF) >= 0x20 && (in[i] & 0xFF) <= 0x7E && in[i] != '"' && in[i] != '\\') {
      i++;
    }
    return i;
  }

  @Test
  void findsAMemberNamedTwiceInAnObjectOfManyMembers() {
    StringBuilder distinct = new StringBuilder("{");
    for (int i = 0; i < 31; i++) {
      distinct.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":").append(i);
    }
    String many = distinct + "}";
    String lastRepeatsFirst = distinct + ",\"m0\":0}";
    String middleRepeatsLast = many.replace("\"m20\"", "\"m30\"");

    assertThat(QuickJsonCheck.isCertainlyJson(many.getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(QuickJsonCheck.isCertainlyJson(lastRepeatsFirst.getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(QuickJsonCheck.isCertainlyJson(middleRepeatsLast.getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(StructuredWireFormatTest.ReferenceWriter.isJsonText(lastRepeatsFirst.getBytes(StandardCharsets.UTF_8)))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "{\"a\":1,\"a\":2}", "{\"a\\u0062\":1}", "01", "1.", ".5", "+1", "-", "1e", "tru",
      "truex", "nul", "[1,]", "{\"a\":1,}", "{a:1}", "'a'", "\"a", "[1 2]", "1 2", "{\"a\" 1}", "\"\\x\"",
      "\"\\u12G4\"", "NaN", "[\"\t\"]", "/* c */ 1", "\uFEFF{}"})
  void isNotSureOfWhatIsNotPlainJson(String text) {
    assertThat(QuickJsonCheck.isCertainlyJson(text.getBytes(StandardCharsets.UTF_8))).isFalse();
  }

  @Test
  void isNotSureOfMalformedUtf8() {
    for (String hex : new String[] {"22c02f22", "22e08080", "22eda08022", "22f4908080", "22f522", "2280", "22c3"}) {
      assertThat(QuickJsonCheck.isCertainlyJson(HexFormat.of().parseHex(hex))).as(hex).isFalse();
    }
  }

  @Test
  void neverSaysJsonToWhatJacksonRefuses() {
    Random random = new Random(16);
    int quickYes = 0;
    int jacksonNo = 0;
    for (int i = 0; i < 50_000; i++) {
      StringBuilder json = new StringBuilder();
      value(random, json, 0);
      byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
      int mutations = random.nextInt(3);
      for (int m = 0; m < mutations && bytes.length > 0; m++) {
        bytes = mutate(random, bytes);
      }
      boolean quick = QuickJsonCheck.isCertainlyJson(bytes);
      boolean jackson = StructuredWireFormatTest.ReferenceWriter.isJsonText(bytes);
      if (quick) {
        assertThat(jackson).as(HexFormat.of().formatHex(bytes)).isTrue();
        quickYes++;
      }
      jacksonNo += jackson ? 0 : 1;
    }
    assertThat(quickYes).as("inputs the quick check accepted").isGreaterThan(10_000);
    assertThat(jacksonNo).as("inputs Jackson refused").isGreaterThan(10_000);
  }

  @Test
  void delimitsEveryObjectAndArrayJacksonReadsWhereJacksonEndsIt() throws IOException {
    Random random = new Random(17);
    int delimited = 0;
    for (int i = 0; i < 50_000; i++) {
      StringBuilder json = new StringBuilder();
      value(random, json, 0);
      byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
      if (random.nextBoolean() && bytes.length > 0) {
        bytes = mutate(random, bytes);
      }
      byte[] rest = " ,\"x\":[\"]\"]}".getBytes(StandardCharsets.UTF_8);
      byte[] followed = Arrays.copyOf(bytes, bytes.length + rest.length);
      System.arraycopy(rest, 0, followed, bytes.length, rest.length);
      int end = QuickJsonCheck.endOfStructure(followed, 0);
      if (bytes.length == 0 || (bytes[0] != '{' && bytes[0] != '[')) {
        assertThat(end).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(-1);
        continue;
      }
      if (StructuredWireFormatTest.ReferenceWriter.isJsonText(bytes)) {
        int last = bytes.length; // Jackson takes white space after the value
        while (bytes[last - 1] == ' ' || bytes[last - 1] == '\n' || bytes[last - 1] == '\r' || bytes[last - 1] == '\t') {
          last--;
        }
        assertThat(end).as(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(last);
        delimited++;
      } else if (end > 0) {
        // Whatever it delimits is checked when read: it must be a span of the input, ending at a closing bracket.
        assertThat(followed[end - 1]).isIn((byte) '}', (byte) ']');
      }
    }
    assertThat(delimited).as("objects and arrays delimited").isGreaterThan(5_000);
  }

  private static byte[] mutate(Random random, byte[] bytes) {
    int at = random.nextInt(bytes.length);
    byte b = INTERESTING[random.nextInt(INTERESTING.length)];
    return switch (random.nextInt(3)) {
      case 0 -> { // replace
        byte[] copy = bytes.clone();
        copy[at] = b;
        yield copy;
      }
      case 1 -> { // insert
        byte[] copy = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, copy, 0, at);
        copy[at] = b;
        System.arraycopy(bytes, at, copy, at + 1, bytes.length - at);
        yield copy;
      }
      default -> { // delete
        byte[] copy = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, copy, 0, at);
        System.arraycopy(bytes, at + 1, copy, at, bytes.length - at - 1);
        yield copy;
      }
    };
  }

  private static void value(Random random, StringBuilder json, int depth) {
    switch (depth > 3 ? 2 + random.nextInt(4) : random.nextInt(6)) {
      case 0 -> {
        json.append('{');
        int members = random.nextInt(6);
        for (int m = 0; m < members; m++) {
          json.append(m == 0 ? "" : ",").append(random.nextBoolean() ? " " : "");
          string(random, json, 3);
          json.append(':');
          value(random, json, depth + 1);
        }
        json.append('}');
      }
      case 1 -> {
        json.append('[');
        int elements = random.nextInt(4);
        for (int e = 0; e < elements; e++) {
          json.append(e == 0 ? "" : " ,");
          value(random, json, depth + 1);
        }
        json.append(']');
      }
      case 2 -> string(random, json, 12);
      case 3 -> json.append(random.nextInt(2000) - 1000).append(random.nextBoolean() ? ".25" : "")
          .append(random.nextBoolean() ? "e-3" : "");
      case 4 -> json.append(random.nextBoolean() ? "true" : "null");
      default -> json.append("\"").append(random.nextInt(10)).append("\"");
    }
  }

  private static void string(Random random, StringBuilder json, int maxLength) {
    String alphabet = "abé✓🌎\\\"/\n\u0001";
    json.append('"');
    int length = random.nextInt(maxLength);
    for (int i = 0; i < length; i++) {
      int k = random.nextInt(alphabet.length());
      char c = alphabet.charAt(k);
      if (c == '\\' || c == '"') {
        json.append('\\').append(c);
      } else if (c == '\n') {
        json.append(random.nextBoolean() ? "\\n" : "\\u000A");
      } else if (c == '\u0001') {
        json.append("\\u0001");
      } else if (Character.isHighSurrogate(c)) {
        json.append(c).append(alphabet.charAt(k + 1));
      } else if (!Character.isLowSurrogate(c)) {
        json.append(c);
      }
    }
    json.append('"');
  }
}
