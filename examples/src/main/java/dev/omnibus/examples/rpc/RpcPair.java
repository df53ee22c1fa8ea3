package dev.omnibus.examples.rpc;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.RemoteFailureException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The RPC pair of the AsyncAPI examples as two services: the server answers sums on {@code rpc_queue}, the client asks
 * for some and prints the results. Both read {@code rpc.yaml}, whose {@code reply} says the answer goes to the queue
 * each request names ({@code $message.header#/replyTo}, AMQP's {@code reply_to}), so each client reads a queue of its
 * own.
 *
 * <p>The server comes from the first argument, else {@code OMNIBUS_SERVER}, else {@code local} (in memory); {@code
 * rabbitmq} runs it on a local RabbitMQ: {@code mvn -q -B -pl examples -am package -DskipTests exec:java
 * -Dexec.mainClass=dev.omnibus.examples.rpc.RpcPair -Dexec.args=rabbitmq}.
 */
public final class RpcPair {

  /** The request: numbers to add. */
  public record Sum(List<Double> numbers) {}

  /** The reply: their sum. */
  public record SumResult(double result) {}

  /** A sum request, on the document's {@code rpcQueue} channel. */
  public static final EventType<Sum> SUM = EventType.of("com.example.rpc.sum.v1", Sum.class).channel("rpcQueue");

  /** Its reply, of the document's {@code sumResults} channel. */
  public static final EventType<SumResult> SUM_RESULT = EventType.of("com.example.rpc.sum-result.v1",
      SumResult.class).channel("sumResults");

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private RpcPair() {}

  public static void main(String[] args) {
    String server = args.length > 0 ? args[0] : System.getenv().getOrDefault("OMNIBUS_SERVER", "local");
    System.exit(run(server, System.out::println) ? 0 : 1);
  }

  /** Runs the pair on a server of the document; returns whether every sum came back right. */
  public static boolean run(String server, Consumer<String> log) {
    try (EventBus rpcServer = bus(server);
        EventBus rpcClient = bus(server)) {
      log.accept("RPC pair on server '" + server + "' (protocol " + rpcServer.server().protocol() + ")");
      rpcServer.respond(SUM, "rpc-server", SUM_RESULT, request -> {
        double total = request.data().numbers().stream().mapToDouble(Double::doubleValue).sum();
        log.accept("server  " + request.data().numbers() + " -> " + total);
        return new SumResult(total);
      });
      boolean right = true;
      for (List<Double> numbers : List.of(List.of(4.0, 3.0), List.of(1.5, 2.5, 3.0), List.of(-1.0, 1.0))) {
        Event<SumResult> reply = rpcClient.request(SUM, new Sum(numbers), SUM_RESULT, TIMEOUT).toCompletableFuture()
            .join();
        double expected = numbers.stream().mapToDouble(Double::doubleValue).sum();
        log.accept("client  sum of " + numbers + " = " + reply.data().result());
        right &= reply.data().result() == expected;
      }
      try {
        rpcClient.request(SUM, new Sum(List.of()), SUM_RESULT, TIMEOUT).toCompletableFuture().join();
        right = false;
      } catch (CompletionException e) {
        // An empty list breaks the document's minItems: refused before anything was sent.
        log.accept("client  sum of [] refused: " + e.getCause().getMessage());
        right &= !(e.getCause() instanceof RemoteFailureException);
      }
      return right;
    }
  }

  private static EventBus bus(String server) {
    return EventBus.builder().asyncApi("rpc.yaml").server(server).build();
  }
}
