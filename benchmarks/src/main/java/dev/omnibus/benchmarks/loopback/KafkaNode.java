package dev.omnibus.benchmarks.loopback;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A single KRaft node (broker and controller) from the Maven Central jars, run in a JVM of its own by
 * {@link KafkaProcess}, as PERFORMANCE.md measured the raw clients. The same settings as the tests' broker
 * ({@code dev.omnibus.test.kafka.EmbeddedKafka} of bus-test-kafka, which runs inside the test JVM); one partition per
 * topic.
 *
 * <p>Arguments: log directory, broker port, controller port. Prints {@value #READY} on standard output once started,
 * and stops when standard input closes (its parent went away).
 */
public final class KafkaNode {

  static final String READY = "KAFKA-NODE-READY";

  private KafkaNode() {}

  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    int brokerPort = Integer.parseInt(args[1]);
    int controllerPort = Integer.parseInt(args[2]);
    Properties properties = new Properties();
    properties.put("process.roles", "broker,controller");
    properties.put("node.id", "1");
    properties.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    properties.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    properties.put("controller.listener.names", "CONTROLLER");
    properties.put("inter.broker.listener.name", "PLAINTEXT");
    properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    properties.put("log.dirs", logDir.toAbsolutePath().toString());
    properties.put("num.partitions", "1");
    properties.put("offsets.topic.replication.factor", "1");
    properties.put("offsets.topic.num.partitions", "1");
    properties.put("transaction.state.log.replication.factor", "1");
    properties.put("transaction.state.log.min.isr", "1");
    properties.put("share.coordinator.state.topic.replication.factor", "1");
    properties.put("share.coordinator.state.topic.min.isr", "1");
    properties.put("group.initial.rebalance.delay.ms", "0");
    properties.put("auto.create.topics.enable", "true");

    Files.createDirectories(logDir);
    Path config = logDir.resolveSibling(logDir.getFileName() + ".properties");
    try (Writer writer = Files.newBufferedWriter(config)) {
      properties.store(writer, "benchmark Kafka");
    }
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int status = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
        config.toString(), "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
    if (status != 0) {
      throw new IllegalStateException("formatting Kafka storage failed (" + status + "): "
          + output.toString(StandardCharsets.UTF_8));
    }
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties, false), Time.SYSTEM);
    server.startup();
    System.out.println(READY);
    System.out.flush();
    // The parent closes our standard input when it is done, or dies: either way, stop.
    while (System.in.read() >= 0) {
      // ignore anything written
    }
    server.shutdown();
    server.awaitShutdown();
    System.exit(0);
  }
}
