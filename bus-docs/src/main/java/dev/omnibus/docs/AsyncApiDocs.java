package dev.omnibus.docs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiMessage;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.ServerTemplate;
import dev.omnibus.docs.BindingWords.Owner;
import dev.omnibus.docs.Page.Code;
import dev.omnibus.docs.Page.Heading;
import dev.omnibus.docs.Page.Items;
import dev.omnibus.docs.Page.Paragraph;
import dev.omnibus.docs.Page.Table;
import dev.omnibus.docs.Page.Text;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.SecurityScheme;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The documentation of an AsyncAPI document, as one self-contained HTML page and as Markdown: its servers, channels
 * with their parameters, operations, messages (an example payload each, from the message's {@code examples} when it
 * has them, else made from its schema; payload and headers schemas as tables), the bindings in words, and a
 * "Delivery semantics" section saying what Omnibus does on each server: the ordering key, the retries, the dead
 * letter channel, the concurrency and payload validation.
 *
 * <pre>{@code
 * AsyncApiDocs docs = AsyncApiDocs.of(AsyncApiDocument.load(Path.of("asyncapi.yaml")));
 * docs.write(Path.of("target/asyncapi-docs"));   // index.html and index.md
 * }</pre>
 *
 * <p>The HTML page needs nothing else: the style sheet is inline, there is no script, nothing is fetched. Every text
 * of the document is escaped, so a description holding markup shows as text. Immutable and thread-safe.
 */
public final class AsyncApiDocs {

  /** The HTML file {@link #write(Path)} writes. */
  public static final String HTML_FILE = "index.html";
  /** The Markdown file {@link #write(Path)} writes. */
  public static final String MARKDOWN_FILE = "index.md";

  private final AsyncApiDocument document;
  private final ValidationMode validation;

  private AsyncApiDocs(AsyncApiDocument document, ValidationMode validation) {
    this.document = document;
    this.validation = validation;
  }

  /** The documentation of a document, for a bus with payload validation {@link ValidationMode#ENFORCE enforced}. */
  public static AsyncApiDocs of(AsyncApiDocument document) {
    return new AsyncApiDocs(Objects.requireNonNull(document, "document"), ValidationMode.ENFORCE);
  }

  /** The same documentation for a bus built with this validation mode ({@code EventBus.Builder.validation}). */
  public AsyncApiDocs validation(ValidationMode mode) {
    return new AsyncApiDocs(document, Objects.requireNonNull(mode, "mode"));
  }

  /** The page as one HTML5 document. */
  public String html() {
    return HtmlPage.render(page(), footer());
  }

  /** The page as CommonMark with tables. */
  public String markdown() {
    return MarkdownPage.render(page(), footer());
  }

  /**
   * Writes {@value #HTML_FILE} and {@value #MARKDOWN_FILE} into a directory, creating it when needed.
   *
   * @return the files written
   * @throws UncheckedIOException when a file cannot be written
   */
  public List<Path> write(Path directory) {
    Objects.requireNonNull(directory, "directory");
    Page page = page();
    try {
      Files.createDirectories(directory);
      Path html = directory.resolve(HTML_FILE);
      Path markdown = directory.resolve(MARKDOWN_FILE);
      Files.writeString(html, HtmlPage.render(page, footer()), StandardCharsets.UTF_8);
      Files.writeString(markdown, MarkdownPage.render(page, footer()), StandardCharsets.UTF_8);
      return List.of(html, markdown);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the documentation into " + directory + ": " + e.getMessage(), e);
    }
  }

  private String footer() {
    return "Written by Omnibus from " + Path.of(document.origin()).getFileName() + " (AsyncAPI "
        + document.asyncApiVersion() + ").";
  }

  // ------------------------------------------------------------------ the page

  private Page page() {
    JsonNode root = document.object("").orElseThrow();
    JsonNode info = root.path("info");
    String title = text(info, "title", "AsyncAPI document");
    Page page = new Page(title + " " + text(info, "version", ""));
    page.add(new Heading(1, "top", Text.of(title).plain(info.path("version").isValueNode() ? " "
        + info.get("version").asText() : "")));
    Text facts = Text.of("AsyncAPI " + document.asyncApiVersion());
    if (root.path("defaultContentType").isTextual()) {
      facts.plain(" · default content type ").mono(root.get("defaultContentType").asText());
    }
    if (root.path("id").isTextual()) {
      facts.plain(" · id ").mono(root.get("id").asText());
    }
    page.add(new Paragraph(facts));
    description(info, page);
    if (info.path("contact").isObject() || info.path("license").isObject()) {
      List<Text> about = new ArrayList<>();
      JsonNode contact = info.path("contact");
      if (contact.isObject()) {
        about.add(Text.of("Contact: " + String.join(", ", values(contact, "name", "email", "url"))));
      }
      if (info.path("license").isObject()) {
        about.add(Text.of("License: " + String.join(", ", values(info.get("license"), "name", "url"))));
      }
      page.add(new Items(about));
    }
    servers(page);
    channels(page);
    operations(page);
    messages(page);
    delivery(page);
    return page;
  }

  private void servers(Page page) {
    page.add(new Heading(2, "servers", Text.of("Servers")));
    Map<String, ServerTemplate> servers = document.serverTemplates();
    if (servers.isEmpty()) {
      page.add(new Paragraph(Text.of("The document declares no server: a service gives its own in code.")));
      return;
    }
    List<List<Text>> rows = new ArrayList<>();
    servers.values().forEach(server -> rows.add(List.of(new Text().link(server.name(), PageIds.server(server.name())),
        Text.of(BindingWords.protocolName(server.protocol())).plain(server.protocolVersion() == null ? ""
            : " " + server.protocolVersion()),
        Text.code(server.host() + (server.pathname() == null ? "" : server.pathname())),
        Text.of(firstLine(text(object(server.path()), "description", text(object(server.path()), "summary",
            "")))))));
    page.add(new Table(List.of("Server", "Protocol", "Address", "Description"), rows));
    for (ServerTemplate server : servers.values()) {
      JsonNode node = object(server.path());
      page.add(new Heading(3, PageIds.server(server.name()), Text.code(server.name())));
      Text facts = Text.of(BindingWords.protocolName(server.protocol()) + " (").mono(server.protocol())
          .plain(server.protocolVersion() == null ? ")" : " " + server.protocolVersion() + ")").plain(" at ")
          .mono(server.host() + (server.pathname() == null ? "" : server.pathname())).plain(".");
      if (DeliverySemantics.Family.of(server.protocol()) == DeliverySemantics.Family.NONE) {
        facts.plain(" Omnibus has no binding for this protocol.");
      } else {
        facts.plain(" Select it with ").mono("OMNIBUS_SERVER=" + server.name()).plain(" or ")
            .mono("EventBus.builder().server(\"" + server.name() + "\")").plain(".");
      }
      page.add(new Paragraph(facts));
      description(node, page);
      if (!server.variables().isEmpty()) {
        List<List<Text>> variables = new ArrayList<>();
        server.variables().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(variable -> {
          JsonNode written = object(server.path() + ".variables." + variable.name());
          variables.add(List.of(Text.code(variable.name()),
              variable.defaultValue() == null ? Text.of("none: must be given") : Text.code(variable.defaultValue()),
              variable.enumValues().isEmpty() ? Text.of("any") : codes(variable.enumValues()),
              Text.of("environment ").mono("OMNIBUS_VAR_" + variable.name().toUpperCase(java.util.Locale.ROOT)
                  .replaceAll("[^A-Z0-9]", "_")).plain(text(written, "description", "").isEmpty() ? ""
                  : ". " + text(written, "description", ""))));
        });
        page.add(new Table(List.of("Variable", "Default", "Allowed values", "Description"), variables));
      }
      if (!server.security().isEmpty()) {
        List<Text> schemes = new ArrayList<>();
        for (SecurityScheme scheme : server.security()) {
          Text line = Text.code(scheme.name()).plain(": " + scheme.type());
          Object description = scheme.details().get("description");
          if (description != null) {
            line.plain(" — " + description);
          }
          schemes.add(line);
        }
        page.add(new Paragraph(Text.of("Authentication, any one of (credentials from ").mono("OMNIBUS_"
            + server.name().toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_USERNAME")
            .plain(" and ").mono("_PASSWORD").plain(", never from the document):")));
        page.add(new Items(schemes));
      }
      bindings(server.bindings(), Owner.SERVER, page);
      options(server.options(), page);
    }
  }

  private void channels(Page page) {
    page.add(new Heading(2, "channels", Text.of("Channels")));
    if (document.channels().isEmpty()) {
      page.add(new Paragraph(Text.of("The document declares no channel.")));
      return;
    }
    for (AsyncApiChannel channel : document.channels().values()) {
      JsonNode node = object(channel.path());
      Text heading = Text.code(channel.id());
      if (node.path("title").isTextual()) {
        heading.plain(" — " + node.get("title").asText());
      }
      page.add(new Heading(3, PageIds.channel(channel.id()), heading));
      Text facts = channel.address() == null ? Text.of("The address is given at runtime.")
          : Text.of("Address ").mono(channel.address()).plain(".");
      facts.plain(channel.servers().isEmpty() ? " On every server." : " Only on ");
      for (int i = 0; i < channel.servers().size(); i++) {
        facts.plain(i == 0 ? "" : ", ").link(channel.servers().get(i), PageIds.server(channel.servers().get(i)));
      }
      facts.plain(channel.servers().isEmpty() ? "" : ".");
      page.add(new Paragraph(facts));
      summary(node, page);
      description(node, page);
      if (!channel.parameters().isEmpty()) {
        List<List<Text>> rows = new ArrayList<>();
        channel.parameters().values().forEach(parameter -> {
          JsonNode written = object(channel.path() + ".parameters." + parameter.name());
          String description = text(written, "description", text(written.path("schema"), "description", ""));
          rows.add(List.of(Text.code("{" + parameter.name() + "}"),
              parameter.enumValues().isEmpty() ? Text.of("any") : codes(parameter.enumValues()),
              parameter.defaultValue() == null ? Text.of("—") : Text.code(parameter.defaultValue()),
              parameter.location() == null ? Text.of("—") : Text.code(parameter.location()),
              Text.of(description)));
        });
        page.add(new Heading(4, PageIds.channel(channel.id()) + "-parameters", Text.of("Parameters")));
        page.add(new Table(List.of("Parameter", "Allowed values", "Default", "Location", "Description"), rows));
      }
      if (!channel.messages().isEmpty()) {
        Text messages = Text.of("Messages: ");
        for (int i = 0; i < channel.messages().size(); i++) {
          AsyncApiMessage message = channel.messages().get(i);
          messages.plain(i == 0 ? "" : ", ").link(message.name(), PageIds.message(message.path()));
        }
        page.add(new Paragraph(messages.plain(".")));
      }
      bindings(channel.bindings(), Owner.CHANNEL, page);
      options(channel.options(), page);
    }
  }

  private void operations(Page page) {
    page.add(new Heading(2, "operations", Text.of("Operations")));
    if (document.operations().isEmpty()) {
      page.add(new Paragraph(Text.of("The document declares no operation.")));
      return;
    }
    page.add(new Paragraph(Text.of("From the service's point of view: what it sends and what it receives.")));
    List<List<Text>> rows = new ArrayList<>();
    for (AsyncApiOperation operation : document.operations()) {
      JsonNode node = object(operation.path());
      Text messages = new Text();
      for (int i = 0; i < operation.messages().size(); i++) {
        AsyncApiMessage message = operation.messages().get(i);
        messages.plain(i == 0 ? "" : ", ").link(message.name(), PageIds.message(message.path()));
      }
      rows.add(List.of(Text.code(operation.id()),
          Text.of(operation.action() == AsyncApiOperation.Action.SEND ? "sends" : "receives"),
          new Text().link(operation.channelId(), PageIds.channel(operation.channelId())), messages,
          Text.of(firstLine(text(node, "summary", text(node, "title", text(node, "description", "")))))));
    }
    page.add(new Table(List.of("Operation", "Action", "Channel", "Messages", "Summary"), rows));
    for (AsyncApiOperation operation : document.operations()) {
      JsonNode node = object(operation.path());
      boolean described = node.path("description").isTextual();
      if (!described && operation.bindings().byProtocol().isEmpty() && operation.options().isEmpty()) {
        continue;
      }
      page.add(new Heading(3, PageIds.operation(operation.id()), Text.code(operation.id())));
      description(node, page);
      bindings(operation.bindings(), Owner.OPERATION, page);
      options(operation.options(), page);
    }
  }

  private void messages(Page page) {
    page.add(new Heading(2, "messages", Text.of("Messages")));
    Map<String, AsyncApiMessage> messages = new LinkedHashMap<>();
    Map<String, List<String>> channelsOf = new LinkedHashMap<>();
    for (AsyncApiChannel channel : document.channels().values()) {
      for (AsyncApiMessage message : channel.messages()) {
        messages.putIfAbsent(message.path(), message);
        channelsOf.computeIfAbsent(message.path(), key -> new ArrayList<>()).add(channel.id());
      }
    }
    for (AsyncApiOperation operation : document.operations()) {
      for (AsyncApiMessage message : operation.messages()) {
        messages.putIfAbsent(message.path(), message);
        List<String> channels = channelsOf.computeIfAbsent(message.path(), key -> new ArrayList<>());
        if (!channels.contains(operation.channelId())) {
          channels.add(operation.channelId());
        }
      }
    }
    if (messages.isEmpty()) {
      page.add(new Paragraph(Text.of("The document declares no message.")));
      return;
    }
    for (AsyncApiMessage message : messages.values()) {
      JsonNode node = object(message.path());
      Text heading = Text.code(message.name());
      if (node.path("title").isTextual()) {
        heading.plain(" — " + node.get("title").asText());
      }
      String id = PageIds.message(message.path());
      page.add(new Heading(3, id, heading));
      Text facts = new Text();
      if (message.cloudEventType() != null) {
        facts.plain("CloudEvents type ").mono(message.cloudEventType()).plain(". ");
      }
      if (message.contentType() != null) {
        facts.plain("Content type ").mono(message.contentType()).plain(". ");
      }
      if (message.schemaFormat() != null) {
        facts.plain("Schema format ").mono(message.schemaFormat()).plain(". ");
      }
      List<String> channels = channelsOf.getOrDefault(message.path(), List.of());
      if (!channels.isEmpty()) {
        facts.plain("On ");
        for (int i = 0; i < channels.size(); i++) {
          facts.plain(i == 0 ? "" : ", ").link(channels.get(i), PageIds.channel(channels.get(i)));
        }
        facts.plain(".");
      }
      if (!facts.isEmpty()) {
        page.add(new Paragraph(facts));
      }
      summary(node, page);
      description(node, page);
      if (node.isMissingNode() && message.payload() == null) {
        page.add(new Paragraph(Text.of("A remote reference: Omnibus does not fetch it, so there is nothing more to"
            + " show."), true));
      }
      boolean jsonSchema = isJsonSchema(message.schemaFormat());
      if (message.payload() != null) {
        page.add(new Heading(4, id + "-payload", Text.of("Payload")));
        if (jsonSchema) {
          page.add(SchemaTable.of(message.payload()));
        } else {
          page.add(new Code("json", Json.write(message.payload()), "The schema as written (not a JSON Schema)."));
        }
      }
      if (message.headers() != null) {
        page.add(new Heading(4, id + "-headers", Text.of("Headers")));
        page.add(SchemaTable.of(message.headers()));
      }
      examples(message, node, jsonSchema, id, page);
      if (node.path("correlationId").isObject()) {
        JsonNode correlation = node.get("correlationId");
        page.add(new Paragraph(Text.of("Correlation id at ").mono(text(correlation, "location", "?"))
            .plain(text(correlation, "description", "").isEmpty() ? "." : ": "
                + text(correlation, "description", ""))));
      }
      bindings(message.bindings(), Owner.MESSAGE, page);
    }
  }

  private static void examples(AsyncApiMessage message, JsonNode node, boolean jsonSchema, String id, Page page) {
    JsonNode written = node.path("examples");
    List<Code> blocks = new ArrayList<>();
    if (written.isArray()) {
      for (int i = 0; i < written.size(); i++) {
        JsonNode example = written.get(i);
        if (!example.isObject()) {
          continue;
        }
        String name = text(example, "name", "Example " + (i + 1));
        String summary = text(example, "summary", "");
        if (example.has("payload")) {
          blocks.add(new Code("json", Json.write(example.get("payload")), name + (summary.isEmpty() ? ""
              : ": " + summary) + " (from the document)"));
        }
        if (example.has("headers")) {
          blocks.add(new Code("json", Json.write(example.get("headers")), name + ", headers (from the document)"));
        }
      }
    }
    if (blocks.isEmpty() && message.payload() != null && jsonSchema) {
      blocks.add(new Code("json", Json.write(ExamplePayloads.example(message.payload())),
          "Made from the payload schema"));
    }
    if (!blocks.isEmpty()) {
      page.add(new Heading(4, id + "-example", Text.of(blocks.size() == 1 ? "Example" : "Examples")));
      blocks.forEach(page::add);
    }
  }

  private void delivery(Page page) {
    page.add(new Heading(2, "delivery", Text.of("Delivery semantics")));
    page.add(new Paragraph(Text.of("What Omnibus does with these channels on each server, as a bus built from this"
        + " document applies it (payload validation: " + validation.name().toLowerCase(java.util.Locale.ROOT)
        + "). A group's own retry policy given in code takes precedence over the document's.")));
    if (document.serverTemplates().isEmpty()) {
      page.add(new Paragraph(Text.of("The document declares no server; the service chooses its broker in code.")));
      return;
    }
    DeliverySemantics semantics = new DeliverySemantics(document, validation);
    for (ServerTemplate server : document.serverTemplates().values()) {
      DeliverySemantics.Family family = DeliverySemantics.Family.of(server.protocol());
      page.add(new Heading(3, PageIds.delivery(server.name()), Text.of("On ").mono(server.name())
          .plain(family == DeliverySemantics.Family.NONE ? "" : " (" + family.title + ")")));
      page.add(new Items(semantics.promises(server)));
      List<List<Text>> rows = semantics.rows(server);
      if (!rows.isEmpty()) {
        page.add(new Table(DeliverySemantics.HEADER, rows));
      } else if (family != DeliverySemantics.Family.NONE) {
        page.add(new Paragraph(Text.of("No channel of the document is available on this server.")));
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private JsonNode object(String path) {
    return document.object(path).orElse(com.fasterxml.jackson.databind.node.MissingNode.getInstance());
  }

  private static void bindings(Bindings bindings, Owner owner, Page page) {
    List<Text> lines = BindingWords.describe(bindings, owner);
    if (!lines.isEmpty()) {
      page.add(new Paragraph(Text.of("Bindings:")));
      page.add(new Items(lines));
    }
  }

  private static void options(Map<String, String> options, Page page) {
    if (options.isEmpty()) {
      return;
    }
    Text text = Text.of("Omnibus options: ");
    Iterator<Map.Entry<String, String>> it = new java.util.TreeMap<>(options).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, String> option = it.next();
      text.mono("x-omnibus-" + option.getKey() + ": " + option.getValue()).plain(it.hasNext() ? ", " : ".");
    }
    page.add(new Paragraph(text));
  }

  private static void summary(JsonNode node, Page page) {
    if (node.path("summary").isTextual()) {
      page.add(new Paragraph(Text.of(node.get("summary").asText().strip())));
    }
  }

  /** A description's paragraphs, as text: what it says, never taken for markup. */
  private static void description(JsonNode node, Page page) {
    if (!node.path("description").isTextual()) {
      return;
    }
    for (String paragraph : node.get("description").asText().strip().split("\\n\\s*\\n")) {
      if (!paragraph.isBlank()) {
        page.add(new Paragraph(Text.of(paragraph.strip().replaceAll("\\s*\\n\\s*", " "))));
      }
    }
  }

  private static boolean isJsonSchema(String format) {
    return format == null || format.startsWith("application/vnd.aai.asyncapi")
        || format.startsWith("application/schema+json") || format.startsWith("application/schema+yaml");
  }

  private static Text codes(List<String> values) {
    Text text = new Text();
    for (int i = 0; i < values.size(); i++) {
      text.plain(i == 0 ? "" : ", ").mono(values.get(i));
    }
    return text;
  }

  private static List<String> values(JsonNode object, String... fields) {
    List<String> out = new ArrayList<>();
    for (String field : fields) {
      if (object.path(field).isTextual()) {
        out.add(object.get(field).asText());
      }
    }
    return out;
  }

  private static String text(JsonNode node, String field, String otherwise) {
    JsonNode value = node.path(field);
    return value.isValueNode() && !value.isNull() ? value.asText() : otherwise;
  }

  private static String firstLine(String text) {
    String stripped = text.strip();
    int end = stripped.indexOf('\n');
    return end < 0 ? stripped : stripped.substring(0, end);
  }
}
