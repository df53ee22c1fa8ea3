package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a server of the document becomes MQTT settings; no broker needed. */
class MqttSettingsTest {

  @Test
  void mqttIsPlainTcpOn1883AndTheSecureProtocolsAreTlsOn8883() {
    assertThat(MqttSettings.from(ServerConfig.of("a", "mqtt", "broker.example.com")).uri())
        .isEqualTo("tcp://broker.example.com:1883");
    assertThat(MqttSettings.from(ServerConfig.of("b", "mqtts", "broker.example.com")).uri())
        .isEqualTo("ssl://broker.example.com:8883");
    assertThat(MqttSettings.from(ServerConfig.of("c", "secure-mqtt", "broker.example.com:9883")).uri())
        .isEqualTo("ssl://broker.example.com:9883");
    assertThat(MqttSettings.from(ServerConfig.of("d", "mqtt", "[::1]:1884")).uri()).isEqualTo("tcp://[::1]:1884");
  }

  @Test
  void theProtocolVersionChoosesMqtt5OrMqtt311() {
    ServerConfig server = ServerConfig.of("e", "mqtt", "localhost");
    assertThat(MqttSettings.from(server).version()).isEqualTo(MqttSettings.MqttVersion.V5);
    assertThat(MqttSettings.from(server.withProtocolVersion("5.0")).version()).isEqualTo(MqttSettings.MqttVersion.V5);
    assertThat(MqttSettings.from(server.withProtocolVersion("3.1.1")).version())
        .isEqualTo(MqttSettings.MqttVersion.V3_1_1);
    assertThat(MqttSettings.from(server.withProtocolVersion("3")).version())
        .isEqualTo(MqttSettings.MqttVersion.V3_1_1);
  }

  @Test
  void theServerBindingSetsSessionsAndTheDefaultsAreDurableGroups() {
    ServerConfig server = ServerConfig.of("f", "mqtt", "localhost");
    MqttSettings defaults = MqttSettings.from(server);
    assertThat(defaults.persistentGroups()).isTrue();
    assertThat(defaults.sessionExpirySeconds()).isEqualTo(86_400);
    assertThat(defaults.keepAliveSeconds()).isEqualTo(60);

    MqttSettings clean = MqttSettings.from(server.withBindings(new Bindings(Map.of("mqtt",
        Map.of("clientId", "svc-1", "cleanSession", true, "keepAlive", 30, "sessionExpiryInterval", 120)))));
    assertThat(clean.persistentGroups()).isFalse();
    assertThat(clean.clientId()).isEqualTo("svc-1");
    assertThat(clean.keepAliveSeconds()).isEqualTo(30);
    assertThat(clean.sessionExpirySeconds()).isEqualTo(120);
  }

  @Test
  void credentialsAreUsedButNeverShown() {
    MqttSettings settings = MqttSettings.from(ServerConfig.of("g", "mqtt", "localhost")
        .withCredentials(Credentials.of("edge-user", "s3cret-pa55")));
    assertThat(settings.username()).isEqualTo("edge-user");
    assertThat(settings.password()).isEqualTo("s3cret-pa55");
    assertThat(settings.toString()).doesNotContain("s3cret-pa55").contains("password=present");
  }
}
