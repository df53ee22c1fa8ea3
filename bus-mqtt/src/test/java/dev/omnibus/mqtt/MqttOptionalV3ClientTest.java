package dev.omnibus.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Paho's MQTT 3 client is an optional dependency: an application on MQTT 5 runs without it, and one that names a
 * 3.1.1 server without it is told which artifact to add. Each test loads the binding in a class loader built from
 * the test class path minus that client, as an application that did not add it sees it.
 */
class MqttOptionalV3ClientTest {

  private static final String PAHO_V3_JAR = "org.eclipse.paho.client.mqttv3";

  private URLClassLoader application;

  @BeforeEach
  void applicationWithoutThePahoV3Client() throws MalformedURLException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.isBlank() && !entry.contains(PAHO_V3_JAR)) {
        urls.add(new File(entry).toURI().toURL());
      }
    }
    application = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    assertThatThrownBy(() -> application.loadClass("org.eclipse.paho.client.mqttv3.MqttAsyncClient"))
        .as("the paho v3 client is off the application's class path").isInstanceOf(ClassNotFoundException.class);
  }

  @AfterEach
  void close() throws Exception {
    application.close();
  }

  /** {@code new MqttTransportProvider().open(ServerConfig.of(name, "mqtt", host).withProtocolVersion(version))}. */
  private Object open(String name, String host, String protocolVersion) throws Throwable {
    Class<?> serverConfig = application.loadClass("dev.omnibus.spi.ServerConfig");
    Object server = serverConfig.getMethod("of", String.class, String.class, String.class)
        .invoke(null, name, "mqtt", host);
    server = serverConfig.getMethod("withProtocolVersion", String.class).invoke(server, protocolVersion);
    Object provider = application.loadClass("dev.omnibus.mqtt.MqttTransportProvider").getConstructor().newInstance();
    Method open = provider.getClass().getMethod("open", serverConfig);
    try {
      return open.invoke(provider, server);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Test
  void a311ServerWithoutTheClientIsAConfigurationExceptionNamingTheArtifactToAdd() {
    Throwable refused = catchThrowable(() -> open("legacy", "127.0.0.1:1", "3.1.1"));

    assertThat(refused.getClass().getName()).isEqualTo("dev.omnibus.ConfigurationException");
    assertThat(refused.getMessage()).contains("servers.legacy.protocolVersion",
        "add org.eclipse.paho:org.eclipse.paho.client.mqttv3 to the application's dependencies");
  }

  @Test
  void anMqtt5ServerNeedsNoV3Client() throws Throwable {
    MqttBroker.assumeReachable();

    try (AutoCloseable transport = (AutoCloseable) open("modern", MqttBroker.HOST + ":" + MqttBroker.PORT, "5")) {
      assertThat(transport.getClass().getClassLoader()).isSameAs(application);
    }
  }
}
