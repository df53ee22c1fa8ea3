package dev.omnibus.spi;

import java.util.Map;

/**
 * How a server wants clients to authenticate: one AsyncAPI security scheme the server accepts. Carries no secret.
 *
 * @param name the scheme's name in {@code components.securitySchemes}, or a generated one for inline 3.0 schemes
 * @param type the AsyncAPI type: {@code userPassword}, {@code plain}, {@code scramSha256}, {@code scramSha512},
 *     {@code X509}, {@code gssapi}, {@code apiKey}, {@code oauth2}...
 * @param details the scheme's other fields (e.g. {@code in}, {@code scopes})
 */
public record SecurityScheme(String name, String type, Map<String, Object> details) {

  public SecurityScheme {
    details = Map.copyOf(details);
  }
}
