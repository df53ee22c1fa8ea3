package dev.omnibus.mqtt.internal;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Says what a failed TLS connection means. Paho wraps a handshake failure as {@code Untranslated MqttException - RC: 0}
 * or similar; the cause chain holds what happened: a certificate the trust store does not trust, or one that does not
 * name the host connected to.
 */
final class TlsFailure {

  private TlsFailure() {}

  /** What went wrong and what to do, when the failure is a TLS one; empty otherwise. */
  static Optional<String> describe(Throwable failure, String host) {
    SSLException tls = null;
    boolean untrusted = false;
    boolean wrongName = false;
    String detail = null;
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof SSLException ssl && tls == null) {
        tls = ssl;
      }
      String message = cause.getMessage() == null ? "" : cause.getMessage();
      String lower = message.toLowerCase(Locale.ROOT);
      if (cause instanceof CertPathBuilderException || cause instanceof CertPathValidatorException
          || lower.contains("pkix path")) {
        untrusted = true;
        detail = message;
      } else if (cause instanceof CertificateException
          && (lower.contains("no subject alternative") || lower.contains("no name matching"))) {
        wrongName = true;
        detail = message;
      }
    }
    if (tls == null && !untrusted && !wrongName) {
      return Optional.empty();
    }
    if (wrongName) {
      return Optional.of("TLS handshake failed: the server's certificate does not name the host '" + host + "' ("
          + detail + "). Connect with a host name the certificate names (its subject alternative names), or give the "
          + "broker a certificate for '" + host + "'");
    }
    if (untrusted) {
      return Optional.of("TLS handshake failed: the server's certificate is not trusted (" + detail + "). Add the "
          + "broker's certificate or its CA to the trust store this JVM uses (-Djavax.net.ssl.trustStore=..., "
          + "-Djavax.net.ssl.trustStorePassword=...; by default the JDK's cacerts)");
    }
    return Optional.of("TLS handshake failed (" + tls.getMessage() + "). Check that the port speaks TLS, that the "
        + "broker's certificate is in the JVM's trust store and names the host '" + host + "'");
  }
}
