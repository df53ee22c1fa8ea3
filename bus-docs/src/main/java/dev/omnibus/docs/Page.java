package dev.omnibus.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a documentation page says, independent of how it is written: headings, paragraphs, tables, lists and code,
 * rendered the same way to HTML ({@link HtmlPage}) and Markdown ({@link MarkdownPage}). Text is kept as text; each
 * renderer escapes it for its format, so what a document says is never taken for markup.
 */
final class Page {

  private final String title;
  private final List<Block> blocks = new ArrayList<>();

  Page(String title) {
    this.title = title;
  }

  String title() {
    return title;
  }

  List<Block> blocks() {
    return blocks;
  }

  Page add(Block block) {
    blocks.add(block);
    return this;
  }

  /** One block of the page. */
  sealed interface Block permits Heading, Paragraph, Table, Code, Items {}

  /** A heading; level 1 is the page title, level 2 the sections listed in the contents. */
  record Heading(int level, String id, Text text) implements Block {}

  /** A paragraph; {@code note} paragraphs are set apart (an advice, a warning). */
  record Paragraph(Text text, boolean note) implements Block {
    Paragraph(Text text) {
      this(text, false);
    }
  }

  /** A table with a header row. */
  record Table(List<String> header, List<List<Text>> rows) implements Block {
    Table {
      header = List.copyOf(header);
      rows = List.copyOf(rows);
    }
  }

  /** Preformatted text, e.g. an example payload in JSON. */
  record Code(String language, String text, String caption) implements Block {}

  /** A bulleted list. */
  record Items(List<Text> items) implements Block {
    Items {
      items = List.copyOf(items);
    }
  }

  /** Inline text: runs of plain words, code and links to headings of the page. */
  static final class Text {

    private final List<Run> runs = new ArrayList<>();

    static Text of(String plain) {
      return new Text().plain(plain);
    }

    static Text code(String code) {
      return new Text().mono(code);
    }

    Text plain(String text) {
      if (!text.isEmpty()) {
        runs.add(new Run(Style.PLAIN, text, ""));
      }
      return this;
    }

    Text mono(String text) {
      runs.add(new Run(Style.CODE, text, ""));
      return this;
    }

    Text strong(String text) {
      runs.add(new Run(Style.STRONG, text, ""));
      return this;
    }

    /** A link to a heading of this page, by its id. */
    Text link(String text, String targetId) {
      runs.add(new Run(Style.LINK, text, targetId));
      return this;
    }

    Text append(Text other) {
      runs.addAll(other.runs);
      return this;
    }

    boolean isEmpty() {
      return runs.isEmpty();
    }

    List<Run> runs() {
      return runs;
    }

    /** The words without their styles, e.g. for a heading's id. */
    String plainText() {
      StringBuilder out = new StringBuilder();
      runs.forEach(run -> out.append(run.text()));
      return out.toString();
    }

    @Override
    public String toString() {
      return plainText();
    }
  }

  /** How a run of text is set. */
  enum Style { PLAIN, CODE, STRONG, LINK }

  /** A run of inline text; {@code target} is the heading id of a link. */
  record Run(Style style, String text, String target) {
    Run {
      Objects.requireNonNull(text, "text");
    }
  }
}
