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
 * A {@link Page} as one self-contained HTML5 file: the style sheet inline, no script, nothing fetched. Every text of
 * the document is escaped, attribute values included.
 */
final class HtmlPage {

  private static final String STYLE = """
      :root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa; --accent: #0b5cad; --note: #fff8c5; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
             color: var(--fg); background: #fff; }
      .layout { display: flex; align-items: flex-start; }
      nav { position: sticky; top: 0; flex: 0 0 15rem; max-height: 100vh; overflow-y: auto; padding: 1.2rem 1rem;
            border-right: 1px solid var(--line); background: var(--soft); font-size: 14px; }
      nav h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 .5rem; }
      nav ul { list-style: none; padding: 0; margin: 0; }
      nav li { margin: .15rem 0; }
      nav li.l3 { padding-left: .9rem; font-size: 13px; }
      main { flex: 1; min-width: 0; max-width: 70rem; padding: 1.2rem 2.2rem 4rem; }
      h1 { font-size: 30px; margin: .3rem 0 .8rem; }
      h2 { font-size: 22px; margin: 2.2rem 0 .8rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
      h3 { font-size: 18px; margin: 1.6rem 0 .5rem; }
      h4 { font-size: 15px; margin: 1.1rem 0 .4rem; color: var(--muted); }
      a { color: var(--accent); text-decoration: none; }
      a:hover { text-decoration: underline; }
      p { margin: .45rem 0; }
      p.note { background: var(--note); border-left: 4px solid #d4a72c; padding: .45rem .75rem; }
      code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft);
             border: 1px solid var(--line); border-radius: 4px; padding: 0 .25rem; overflow-wrap: break-word; }
      pre { background: #0d1117; color: #e6edf3; border-radius: 6px; padding: .8rem 1rem; overflow-x: auto;
            font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin: .2rem 0 .8rem; }
      pre code { background: none; border: 0; padding: 0; color: inherit; font: inherit; }
      h3 code, h4 code { font-size: .95em; }
      figure { margin: .6rem 0; }
      figcaption { font-size: 13px; color: var(--muted); }
      table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: 14px; }
      th, td { border: 1px solid var(--line); padding: .35rem .55rem; text-align: left; vertical-align: top; }
      th { background: var(--soft); font-weight: 600; }
      tbody tr:nth-child(even) td { background: #fbfcfd; }
      ul.items { margin: .3rem 0 .8rem; padding-left: 1.3rem; }
      footer { margin-top: 3rem; font-size: 13px; color: var(--muted); }
      @media (max-width: 800px) { .layout { display: block; } nav { position: static; max-height: none; } }
      """;

  private HtmlPage() {}

  static String render(Page page, String footer) {
    StringBuilder out = new StringBuilder(16_384);
    out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<meta name=\"generator\" content=\"Omnibus bus-docs\">\n")
        // No fetch of any kind: not even a favicon.
        .append("<link rel=\"icon\" href=\"data:,\">\n")
        .append("<title>").append(escape(page.title())).append("</title>\n<style>\n").append(STYLE)
        .append("</style>\n</head>\n<body>\n<div class=\"layout\">\n");
    contents(page.blocks(), out);
    out.append("<main>\n");
    for (Block block : page.blocks()) {
      if (block instanceof Heading heading) {
        out.append("<h").append(heading.level()).append(" id=\"")
            .append(escape(heading.id())).append("\">").append(inline(heading.text())).append("</h")
            .append(heading.level()).append(">\n");
      } else if (block instanceof Paragraph paragraph) {
        out.append(paragraph.note() ? "<p class=\"note\">" : "<p>")
            .append(inline(paragraph.text())).append("</p>\n");
      } else if (block instanceof Table table) {
        table(table, out);
      } else if (block instanceof Code code) {
        out.append("<figure>");
        if (!code.caption().isEmpty()) {
          out.append("<figcaption>").append(escape(code.caption())).append("</figcaption>");
        }
        out.append("<pre><code class=\"language-").append(escape(code.language())).append("\">")
            .append(escape(code.text())).append("</code></pre></figure>\n");
      } else if (block instanceof Items items) {
        out.append("<ul class=\"items\">\n");
        items.items().forEach(item -> out.append("<li>").append(inline(item)).append("</li>\n"));
        out.append("</ul>\n");
      }
    }
    out.append("<footer>").append(escape(footer)).append("</footer>\n</main>\n</div>\n</body>\n</html>\n");
    return out.toString();
  }

  private static void contents(List<Block> blocks, StringBuilder out) {
    out.append("<nav aria-label=\"Contents\">\n<h2>Contents</h2>\n<ul>\n");
    for (Block block : blocks) {
      if (block instanceof Heading heading && (heading.level() == 2 || heading.level() == 3)) {
        out.append("<li class=\"l").append(heading.level()).append("\"><a href=\"#").append(escape(heading.id()))
            .append("\">").append(escape(heading.text().plainText())).append("</a></li>\n");
      }
    }
    out.append("</ul>\n</nav>\n");
  }

  private static void table(Table table, StringBuilder out) {
    out.append("<table>\n<thead><tr>");
    table.header().forEach(cell -> out.append("<th>").append(escape(cell)).append("</th>"));
    out.append("</tr></thead>\n<tbody>\n");
    for (List<Text> row : table.rows()) {
      out.append("<tr>");
      row.forEach(cell -> out.append("<td>").append(inline(cell)).append("</td>"));
      out.append("</tr>\n");
    }
    out.append("</tbody>\n</table>\n");
  }

  static String inline(Text text) {
    StringBuilder out = new StringBuilder();
    for (Run run : text.runs()) {
      switch (run.style()) {
        case PLAIN -> out.append(escape(run.text()).replace("\n", "<br>"));
        case CODE -> out.append("<code>").append(escape(run.text())).append("</code>");
        case STRONG -> out.append("<strong>").append(escape(run.text())).append("</strong>");
        case LINK -> out.append("<a href=\"#").append(escape(run.target())).append("\">").append(escape(run.text()))
            .append("</a>");
      }
    }
    return out.toString();
  }

  /** Escapes text for HTML content and quoted attribute values. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          // Control characters other than tab and newline are not allowed in HTML text.
          if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
