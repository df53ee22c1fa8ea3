package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.spi.SecurityScheme;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads security schemes (2.6 and 3.0 share the list of types) and servers' security requirements: 2.x
 * {@code {name: [scopes]}} requirement objects resolved through {@code components.securitySchemes}, 3.0 scheme
 * objects or {@code $ref}s. A scheme says how to authenticate; it never carries a secret.
 */
final class SecurityParser {

  static final List<String> TYPES = List.of("userPassword", "apiKey", "X509", "symmetricEncryption",
      "asymmetricEncryption", "httpApiKey", "http", "oauth2", "openIdConnect", "plain", "scramSha256",
      "scramSha512", "gssapi");
  /** Scheme types that authenticate with a user name and a password. */
  static final List<String> USERNAME_PASSWORD = List.of("userPassword", "plain", "scramSha256", "scramSha512");
  private static final List<String> SIMPLE = List.of("userPassword", "X509", "symmetricEncryption",
      "asymmetricEncryption", "plain", "scramSha256", "scramSha512", "gssapi");
  private static final List<String> WITH_SCOPES = List.of("oauth2", "openIdConnect");

  private final Json json;
  private final RefResolver refs;
  private final boolean v3;

  SecurityParser(Json json, RefResolver refs, boolean v3) {
    this.json = json;
    this.refs = refs;
    this.v3 = v3;
  }

  /** Checks a scheme object and turns it into a {@link SecurityScheme}; {@code null} when it is unusable. */
  @Nullable SecurityScheme scheme(String name, JsonNode scheme, String path) {
    if (!scheme.isObject()) {
      json.problems().add(path, "a security scheme must be an object, not " + RefResolver.kind(scheme));
      return null;
    }
    String type = json.text(scheme, "type", path);
    json.text(scheme, "description", path);
    if (type == null) {
      if (!Json.present(scheme, "type")) {
        json.problems().add(Paths.of(path, "type"), "a security scheme needs a type, one of " + TYPES);
      }
      return null;
    }
    if (!TYPES.contains(type)) {
      json.problems().add(Paths.of(path, "type"), "'" + type + "' is not an AsyncAPI security scheme type; use one"
          + " of " + TYPES);
      return null;
    }
    if (SIMPLE.contains(type)) {
      json.onlyKnown(scheme, path, "a " + type + " security scheme", List.of("type", "description"));
    }
    switch (type) {
      case "apiKey": {
        String in = json.text(scheme, "in", path);
        if (in == null || !(in.equals("user") || in.equals("password"))) {
          json.problems().add(Paths.of(path, "in"), "an apiKey scheme needs 'in: user' or 'in: password'"
              + (in == null ? "" : ", not '" + in + "'"));
        }
        break;
      }
      case "httpApiKey": {
        if (json.text(scheme, "name", path) == null && !Json.present(scheme, "name")) {
          json.problems().add(Paths.of(path, "name"), "an httpApiKey scheme needs the name of the header, query"
              + " parameter or cookie");
        }
        String in = json.text(scheme, "in", path);
        if (in == null || !List.of("query", "header", "cookie").contains(in)) {
          json.problems().add(Paths.of(path, "in"), "an httpApiKey scheme needs 'in: query', 'in: header' or"
              + " 'in: cookie'" + (in == null ? "" : ", not '" + in + "'"));
        }
        break;
      }
      case "http":
        if (json.text(scheme, "scheme", path) == null && !Json.present(scheme, "scheme")) {
          json.problems().add(Paths.of(path, "scheme"), "an http scheme needs its scheme, e.g. 'scheme: bearer'");
        }
        json.text(scheme, "bearerFormat", path);
        break;
      case "oauth2":
        flows(scheme, path);
        if (v3) {
          json.texts(scheme, "scopes", path);
        }
        break;
      case "openIdConnect": {
        if (json.text(scheme, "openIdConnectUrl", path) == null && !Json.present(scheme, "openIdConnectUrl")) {
          json.problems().add(Paths.of(path, "openIdConnectUrl"), "an openIdConnect scheme needs its"
              + " openIdConnectUrl");
        }
        if (v3) {
          json.texts(scheme, "scopes", path);
        }
        break;
      }
      default:
        break;
    }
    Map<String, Object> details = Json.plainFields(scheme);
    details.remove("type");
    details.keySet().removeIf(key -> key.startsWith("x-")); // never copy document extensions (e.g. JAAS configs)
    return new SecurityScheme(name, type, details);
  }

  private void flows(JsonNode scheme, String path) {
    JsonNode flows = json.object(scheme, "flows", path);
    if (flows == null) {
      if (!Json.present(scheme, "flows")) {
        json.problems().add(Paths.of(path, "flows"), "an oauth2 scheme needs its flows");
      }
      return;
    }
    String flowsPath = Paths.of(path, "flows");
    json.onlyKnown(flows, flowsPath, "oauth2 flows",
        List.of("implicit", "password", "clientCredentials", "authorizationCode"));
    for (Iterator<Map.Entry<String, JsonNode>> it = flows.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String flowName = entry.getKey();
      if (flowName.startsWith("x-")) {
        continue;
      }
      String at = Paths.of(flowsPath, flowName);
      JsonNode flow = json.object(flows, flowName, flowsPath);
      if (flow == null) {
        continue;
      }
      List<String> required = new ArrayList<>();
      switch (flowName) {
        case "implicit":
          required.add("authorizationUrl");
          break;
        case "password":
        case "clientCredentials":
          required.add("tokenUrl");
          break;
        case "authorizationCode":
          required.add("authorizationUrl");
          required.add("tokenUrl");
          break;
        default:
          break;
      }
      for (String field : List.of("authorizationUrl", "tokenUrl", "refreshUrl")) {
        String url = json.text(flow, field, at);
        if (url != null) {
          absoluteUrl(url, Paths.of(at, field));
        } else if (required.contains(field) && !Json.present(flow, field)) {
          json.problems().add(Paths.of(at, field), "the " + flowName + " flow needs its " + field);
        }
      }
      String scopesField = v3 ? "availableScopes" : "scopes";
      JsonNode scopes = json.object(flow, scopesField, at);
      if (scopes == null && !Json.present(flow, scopesField)) {
        json.problems().add(Paths.of(at, scopesField), "the " + flowName + " flow needs its " + scopesField
            + " (a map of scope name to description; may be empty)");
      } else if (scopes != null) {
        for (Iterator<Map.Entry<String, JsonNode>> s = scopes.fields(); s.hasNext(); ) {
          Map.Entry<String, JsonNode> scope = s.next();
          if (!scope.getValue().isTextual()) {
            json.problems().add(Paths.of(Paths.of(at, scopesField), scope.getKey()), "a scope's description must be"
                + " a string, not " + RefResolver.kind(scope.getValue()));
          }
        }
      }
    }
  }

  private void absoluteUrl(String url, String path) {
    try {
      URI uri = new URI(url);
      if (!uri.isAbsolute()) {
        json.problems().add(path, "'" + url + "' is not an absolute URL");
      }
    } catch (URISyntaxException e) {
      json.problems().add(path, "'" + url + "' is not a URL: " + e.getReason());
    }
  }

  /** Checks every {@code components.securitySchemes} entry; returns them by name (broken ones left out). */
  Map<String, SecurityScheme> components(JsonNode components, URI file, String path) {
    Map<String, SecurityScheme> out = new java.util.LinkedHashMap<>();
    JsonNode schemes = json.object(components, "securitySchemes", path);
    if (schemes == null) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schemes.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String at = Paths.of(Paths.of(path, "securitySchemes"), entry.getKey());
      Located scheme = refs.follow(new Located(entry.getValue(), file), at);
      if (scheme != null) {
        SecurityScheme parsed = scheme(entry.getKey(), scheme.node(), at);
        if (parsed != null) {
          out.put(entry.getKey(), parsed);
        }
      }
    }
    return out;
  }

  /** A server's {@code security} list as schemes; any one of them suffices. */
  List<SecurityScheme> requirements(Located server, String serverName, Map<String, SecurityScheme> schemes,
      String path) {
    List<SecurityScheme> out = new ArrayList<>();
    JsonNode security = server.node().get("security");
    String at = Paths.of(path, "security");
    if (security == null || security.isNull()) {
      return out;
    }
    if (!security.isArray()) {
      json.problems().add(at, "security must be a list of " + (v3 ? "security schemes or $refs to them"
          : "security requirements such as '- mySchemeName: []'") + ", not " + RefResolver.kind(security));
      return out;
    }
    for (int i = 0; i < security.size(); i++) {
      String itemPath = Paths.of(at, i);
      JsonNode item = security.get(i);
      if (v3) {
        String name = serverName + ".security[" + i + "]";
        if (RefResolver.isRef(item) && item.get("$ref").isTextual()) {
          String ref = item.get("$ref").asText();
          name = ref.substring(ref.lastIndexOf('/') + 1);
        }
        Located scheme = refs.follow(new Located(item, server.file()), itemPath);
        if (scheme != null) {
          SecurityScheme parsed = scheme(name, scheme.node(), itemPath);
          if (parsed != null) {
            out.add(parsed);
          }
        }
        continue;
      }
      if (!item.isObject()) {
        json.problems().add(itemPath, "a security requirement must be an object such as '{mySchemeName: []}', not "
            + RefResolver.kind(item));
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String name = entry.getKey();
        String requirementPath = Paths.of(itemPath, name);
        JsonNode scopes = entry.getValue();
        SecurityScheme scheme = schemes.get(name);
        if (scheme == null) {
          json.problems().add(requirementPath, "there is no security scheme '" + name
              + "' in components.securitySchemes" + (schemes.isEmpty() ? "" : " (declared: " + schemes.keySet()
              + ")") + "; declare it there or fix the name");
        }
        if (!scopes.isArray()) {
          json.problems().add(requirementPath, "must be a list of scopes ([] for schemes without scopes), not "
              + RefResolver.kind(scopes));
          continue;
        }
        List<String> scopeNames = json.texts(item, name, itemPath);
        if (scheme != null && !scopeNames.isEmpty() && !WITH_SCOPES.contains(scheme.type())) {
          json.problems().add(requirementPath, "only oauth2 and openIdConnect schemes take scopes; a " + scheme.type()
              + " requirement must be an empty list: '" + name + ": []'");
        }
        if (scheme != null) {
          if (scopeNames.isEmpty()) {
            out.add(scheme);
          } else {
            Map<String, Object> details = new java.util.LinkedHashMap<>(scheme.details());
            details.put("scopes", scopeNames);
            out.add(new SecurityScheme(scheme.name(), scheme.type(), details));
          }
        }
      }
    }
    return out;
  }
}
