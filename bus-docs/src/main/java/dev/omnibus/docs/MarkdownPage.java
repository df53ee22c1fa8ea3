package dev.omnibus.docs;

import dev.omnibus.docs.Page.Block;
import dev.omnibus.docs.Page.Code;
import dev.omnibus.docs.Page.Heading;
import dev.omnibus.docs.Page.Items;
import dev.omnibus.docs.Page.Paragraph;
import dev.omnibus.docs.Page.Run;
import dev.omnibus.docs.Page.Table;
import dev.omnibus.docs.Page.Text;
import java.util.List;

/**
 * A {@link Page} as CommonMark with GitHub tables. Text is escaped so that a document's words stay words: markup
 * characters are backslash-escaped and {@code <}, {@code >}, {@code &} become entities, so no raw HTML reaches a
 * Markdown renderer.
 */
final class MarkdownPage {

  private MarkdownPage() {}

  static String render(Page page, String footer) {
    StringBuilder out = new StringBuilder(8_192);
    for (Block block : page.blocks()) {
      if (block instanceof Heading heading) {
        out.append("#".repeat(heading.level())).append(' ')
            .append(inline(heading.text()).replace("\n", " ")).append(" <a id=\"").append(heading.id())
            .append("\"></a>\n\n");
      } else if (block instanceof Paragraph paragraph) {
        out.append(paragraph.note() ? "> " : "")
            .append(inline(paragraph.text()).replace("\n", paragraph.note() ? "\n> " : "  \n")).append("\n\n");
      } else if (block instanceof Table table) {
        table(table, out);
      } else if (block instanceof Code code) {
        if (!code.caption().isEmpty()) {
          out.append('*').append(escape(code.caption())).append("*\n\n");
        }
        String fence = code.text().contains("```") ? "~~~~" : "```";
        out.append(fence).append(code.language()).append('\n').append(code.text());
        if (!code.text().endsWith("\n")) {
          out.append('\n');
        }
        out.append(fence).append("\n\n");
      } else if (block instanceof Items items) {
        items.items().forEach(item -> out.append("- ").append(inline(item).replace("\n", "\n  ")).append('\n'));
        out.append('\n');
      }
    }
    out.append("---\n\n").append(escape(footer)).append('\n');
    return out.toString();
  }

  private static void table(Table table, StringBuilder out) {
    out.append('|');
    table.header().forEach(cell -> out.append(' ').append(escape(cell)).append(" |"));
    out.append("\n|");
    table.header().forEach(cell -> out.append("---|"));
    out.append('\n');
    for (List<Text> row : table.rows()) {
      out.append('|');
      row.forEach(cell -> out.append(' ').append(inline(cell).replace("|", "\\|").replace("\n", "<br>"))
          .append(" |"));
      out.append('\n');
    }
    out.append('\n');
  }

  static String inline(Text text) {
    StringBuilder out = new StringBuilder();
    for (Run run : text.runs()) {
      switch (run.style()) {
        case PLAIN -> out.append(escape(run.text()));
        case CODE -> out.append(code(run.text()));
        case STRONG -> out.append("**").append(escape(run.text())).append("**");
        case LINK -> out.append('[').append(escape(run.text())).append("](#").append(run.target()).append(')');
      }
    }
    return out.toString();
  }

  /** A code span: as many backticks around it as it needs, with its angle brackets safe in any renderer. */
  private static String code(String text) {
    String flat = text.replace("\n", " ");
    int longest = 0;
    int current = 0;
    for (char c : flat.toCharArray()) {
      current = c == '`' ? current + 1 : 0;
      longest = Math.max(longest, current);
    }
    String ticks = "`".repeat(longest + 1);
    String pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
    return ticks + pad + flat + pad + ticks;
  }

  /** Escapes CommonMark inline markup and HTML in plain text. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '\\', '`', '*', '_', '[', ']', '#', '|', '~' -> out.append('\\').append(c);
        default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
      }
    }
    return out.toString();
  }
}
