package dev.omnibus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.omnibus.ConfigurationException;
import dev.omnibus.rabbitmq.internal.RabbitMqSettings.DeclareMode;
import dev.omnibus.rabbitmq.internal.Topology.ExchangeSpec;
import dev.omnibus.rabbitmq.internal.Topology.QueueSpec;
import dev.omnibus.rabbitmq.internal.Topology.Source;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Declares (or, in passive mode, checks) exchanges, queues and bindings on a channel, as the server's
 * {@code x-omnibus-declare} says. Declarations are idempotent on the broker; a failed one closes the channel it ran on,
 * which the callers account for.
 *
 * <p>A subscription's declarations are pipelined ({@link #source}): what RabbitMQ need not answer is sent without
 * waiting, and one answer at the end confirms it all.
 *
 * <p>Thread-safe; each call uses the channel it is given, from one thread at a time.
 */
final class Declarer {

  /** RabbitMQ's reply to a declaration that differs from the queue's: the argument, what was sent, what is. */
  private static final Pattern INEQUIVALENT = Pattern.compile(
      "inequivalent arg '([^']+)' for queue '[^']*' in vhost '[^']*': received (.+?) but current is (.+)$");

  /** The prefix of the queues the bus names for anonymous subscriptions (RabbitMQ reserves {@code amq.}). */
  static final String ANONYMOUS_QUEUE_PREFIX = "omnibus.anonymous.";

  // AMQP 0-9-1 class and method ids, as a channel.close names the method that failed.
  private static final int EXCHANGE_DECLARE = 40 << 16 | 10;
  private static final int QUEUE_DECLARE = 50 << 16 | 10;
  private static final int QUEUE_BIND = 50 << 16 | 20;
  private static final int BASIC_QOS = 60 << 16 | 10;

  private final RabbitMqSettings settings;
  /** {@code omnibus.anonymous.<uuid>.}: this transport's anonymous queues, numbered after it. */
  private final String anonymousQueues = ANONYMOUS_QUEUE_PREFIX + UUID.randomUUID() + ".";
  private final AtomicLong anonymousCount = new AtomicLong();

  Declarer(RabbitMqSettings settings) {
    this.settings = settings;
  }

  DeclareMode mode() {
    return settings.declareMode();
  }

  /**
   * Declares (or checks) what a subscription consumes and sets the channel's prefetch, in as few round trips as the
   * declare mode allows, and returns the queue to consume. Exchange, queue and binding declarations are sent without
   * waiting for their answers (nowait); {@code basic.qos} comes last, and RabbitMQ answers it only after it has carried
   * out everything sent before it on the channel, so its answer confirms them all: the binding is in place when this
   * returns. A declaration that fails closes the channel, and the close names the method that failed (its class and
   * method id, and the resource in its reply text), which tells which declaration it was: the error is the one the
   * declaration would have raised on its own. Passive checks have no nowait form and take a round trip each.
   *
   * <p>An anonymous subscription's queue (an {@linkplain QueueSpec#anonymous() anonymous} spec) is named here,
   * {@code omnibus.anonymous.<uuid of this transport>.<n>}, rather than by the broker, so that its binding need not
   * wait for the name.
   */
  String source(Channel channel, Source source, int prefetch) {
    List<Step> steps = new ArrayList<>(5);
    try {
      ExchangeSpec exchange = source.exchange();
      if (!exchange.isDefault() && settings.declareMode() != DeclareMode.NONE) {
        steps.add(new Step(EXCHANGE_DECLARE, exchange.name(), null, null));
        if (settings.declareMode() == DeclareMode.PASSIVE) {
          channel.exchangeDeclarePassive(exchange.name());
        } else {
          channel.exchangeDeclareNoWait(exchange.name(), exchange.type(), exchange.durable(), exchange.autoDelete(),
              false, null);
        }
      }
      QueueSpec spec = source.queue();
      String queue = spec.anonymous() ? anonymousQueues + anonymousCount.incrementAndGet() : spec.name();
      declareQueue(channel, spec, queue, steps);
      if (!exchange.isDefault() && (spec.anonymous() || settings.declareMode() == DeclareMode.DECLARE)) {
        bind(channel, queue, exchange, source.bindingKey(), steps);
      }
      QueueSpec deadLetters = source.deadLetters();
      if (deadLetters != null && settings.declareMode() == DeclareMode.DECLARE) {
        // A quorum group's: the broker dead-letters into it by itself, so it must exist before the first delivery
        // (a classic group's is declared by its first dead letter, Topology.route).
        declareQueue(channel, deadLetters, deadLetters.name(), steps);
        if (!exchange.isDefault()) {
          // A queue channel's is reached through the default exchange by name; RabbitMQ refuses bindings to it.
          bind(channel, deadLetters.name(), exchange, deadLetters.name(), steps);
        }
      }
      steps.add(new Step(BASIC_QOS, queue, null, null));
      channel.basicQos(prefetch);
      return queue;
    } catch (IOException | ShutdownSignalException e) {
      throw failed(steps, e);
    }
  }

  private void declareQueue(Channel channel, QueueSpec spec, String name, List<Step> steps) throws IOException {
    Map<String, Object> arguments = spec.arguments().isEmpty() ? null : spec.arguments();
    if (spec.anonymous() || settings.declareMode() == DeclareMode.DECLARE) {
      // A private queue of one subscription is declared in every mode: nothing else could exist in its place.
      steps.add(new Step(QUEUE_DECLARE, name, spec, null));
      channel.queueDeclareNoWait(name, spec.durable(), spec.exclusive(), spec.autoDelete(), arguments);
    } else if (settings.declareMode() == DeclareMode.PASSIVE) {
      steps.add(new Step(QUEUE_DECLARE, name, spec, null));
      channel.queueDeclarePassive(name);
    }
  }

  private static void bind(Channel channel, String queue, ExchangeSpec exchange, String key, List<Step> steps)
      throws IOException {
    steps.add(new Step(QUEUE_BIND, queue, null, new String[] {exchange.name(), key}));
    channel.queueBindNoWait(queue, exchange.name(), key, null);
  }

  /**
   * The error of the declaration that failed among those sent: the one whose method the channel's close names (and,
   * of several such, the one whose resource its reply text names); else, the connection gone, the last one sent.
   */
  private ConfigurationException failed(List<Step> steps, Exception e) {
    ShutdownSignalException signal = signal(e);
    Step failed = steps.isEmpty() ? new Step(0, "", null, null) : steps.get(steps.size() - 1);
    if (signal != null && signal.getReason() instanceof AMQP.Channel.Close close) {
      int method = close.getClassId() << 16 | close.getMethodId();
      String reply = close.getReplyText();
      Step byMethod = null;
      for (Step step : steps) {
        if (step.method() == method) {
          if (byMethod == null || reply.contains("'" + step.resource() + "'") && !reply.contains(
              "'" + byMethod.resource() + "'")) {
            byMethod = step;
          }
        }
      }
      if (byMethod != null) {
        failed = byMethod;
      }
    }
    if (failed.queue() != null && signal != null && replyCode(signal) == AMQP.PRECONDITION_FAILED) {
      return inequivalent(failed.queue(), PublisherChannel.replyText(signal));
    }
    return failure(failed.what(), e);
  }

  /**
   * One declaration sent on a subscription's channel: its method (class id and method id in one int), the resource
   * RabbitMQ's reply text names (the exchange, else the queue), the queue's spec for a queue declaration, the exchange
   * and key of a binding. Described only when it failed: nothing is formatted for a subscription that succeeds.
   */
  private record Step(int method, String resource, @Nullable QueueSpec queue, String @Nullable [] binding) {
    String what() {
      return switch (method) {
        case EXCHANGE_DECLARE -> "exchange '" + resource + "'";
        case QUEUE_DECLARE -> queue == null || queue.anonymous() ? "queue '" + resource + "'" : queue.describe();
        case QUEUE_BIND -> "binding of queue '" + resource + "' to exchange '" + binding[0] + "' with key '"
            + binding[1] + "'";
        case BASIC_QOS -> "the prefetch on the channel of queue '" + resource + "'";
        default -> "the subscription's declarations";
      };
    }
  }

  /** Declares or checks an exchange; the default exchange always exists. */
  void exchange(Channel channel, ExchangeSpec exchange) {
    if (exchange.isDefault() || settings.declareMode() == DeclareMode.NONE) {
      return;
    }
    try {
      if (settings.declareMode() == DeclareMode.PASSIVE) {
        channel.exchangeDeclarePassive(exchange.name());
      } else {
        channel.exchangeDeclare(exchange.name(), exchange.type(), exchange.durable(), exchange.autoDelete(), null);
      }
    } catch (IOException | ShutdownSignalException e) {
      throw failure("exchange '" + exchange.name() + "'", e);
    }
  }

  /** Declares or checks a named queue (a queue channel's, a group's retry queue) before the first send to it. */
  void queue(Channel channel, QueueSpec queue) {
    try {
      Map<String, Object> arguments = queue.arguments().isEmpty() ? null : queue.arguments();
      switch (settings.declareMode()) {
        case DECLARE -> channel.queueDeclare(queue.name(), queue.durable(), queue.exclusive(), queue.autoDelete(),
            arguments);
        case PASSIVE -> channel.queueDeclarePassive(queue.name());
        case NONE -> { }
      }
    } catch (IOException | ShutdownSignalException e) {
      ShutdownSignalException signal = signal(e);
      if (signal != null && replyCode(signal) == AMQP.PRECONDITION_FAILED) {
        throw inequivalent(queue, PublisherChannel.replyText(signal));
      }
      throw failure(queue.describe(), e);
    }
  }

  /**
   * Declares a queue a send needs bound to the exchange with the key before it goes (a classic group's dead letter
   * queue, declared by its first dead letter), one round trip each; a failure is the declaration's error.
   */
  void kept(Channel channel, QueueSpec queue, ExchangeSpec exchange, String key) {
    queue(channel, queue);
    if (exchange.isDefault()) {
      // Reached through the default exchange by name; RabbitMQ refuses bindings to it.
      return;
    }
    try {
      channel.queueBind(queue.name(), exchange.name(), key);
    } catch (IOException | ShutdownSignalException e) {
      throw failure("binding of queue '" + queue.name() + "' to exchange '" + exchange.name() + "' with key '" + key
          + "'", e);
    }
  }

  /**
   * The queue exists with other properties or arguments than this declaration's; RabbitMQ names the first that
   * differs ({@code inequivalent arg 'x-queue-type' for queue 'q' in vhost '/': received the value 'quorum' of type
   * 'longstr' but current is none}).
   */
  private ConfigurationException inequivalent(QueueSpec queue, String reply) {
    Matcher matcher = INEQUIVALENT.matcher(reply);
    String differs = "its settings differ";
    if (matcher.find()) {
      String argument = matcher.group(1);
      String received = matcher.group(2).trim();
      String current = matcher.group(3).trim();
      differs = argument + " is " + current + " on the broker, the bus declares " + received + " (RabbitMQ names the "
          + "first difference it finds; others may follow)";
    }
    String kind = "quorum".equals(queue.arguments().get("x-queue-type")) ? "a quorum queue (x-omnibus-queue-type: "
        + "quorum, arguments " + queue.arguments() + ")" : "a classic queue (durable " + queue.durable()
        + ", exclusive " + queue.exclusive() + ", autoDelete " + queue.autoDelete() + ", no arguments)";
    return ConfigurationException.of("servers." + settings.server() + ".x-omnibus-queue-type", "queue '"
        + queue.name() + "' exists in virtual host '" + settings.virtualHost() + "' with other settings than the bus "
        + "declares: " + differs + ". The bus declares " + kind + ". RabbitMQ cannot change a queue's type or arguments: "
        + "drain and delete the queue so that it is declared anew (rabbitmqctl delete_queue '" + queue.name()
        + "'), or make the channel's x-omnibus-queue-type / x-omnibus-delivery-limit (or the binding's x-queue-type) "
        + "match the queue on the broker [" + reply + "]");
  }

  private ConfigurationException failure(String what, Exception e) {
    ShutdownSignalException signal = signal(e);
    String reply = signal == null ? PublisherChannel.rootMessage(e) : PublisherChannel.replyText(signal);
    int code = signal == null ? 0 : replyCode(signal);
    String path = "servers." + settings.server() + ".x-omnibus-declare";
    String vhost = "virtual host '" + settings.virtualHost() + "'";
    if (code == AMQP.NOT_FOUND) {
      return ConfigurationException.of(path, what + " does not exist in " + vhost + " (declare mode "
          + settings.declareMode().name().toLowerCase(Locale.ROOT) + "): create it on the broker, or let "
          + "Omnibus declare it with x-omnibus-declare: declare [" + reply + "]");
    }
    if (code == AMQP.ACCESS_REFUSED) {
      return ConfigurationException.of(path, "user '" + settings.username() + "' may not declare " + what + " in "
          + vhost + ": grant the configure permission, or declare the topology beforehand and set "
          + "x-omnibus-declare: passive [" + reply + "]");
    }
    if (code == AMQP.PRECONDITION_FAILED) {
      return ConfigurationException.of(path, what + " exists in " + vhost + " with other settings than the AsyncAPI "
          + "binding declares: align the document with the broker or delete it [" + reply + "]");
    }
    return ConfigurationException.because("Declaring " + what + " in " + vhost + " on server '" + settings.server()
        + "' failed: " + reply, e);
  }

  private static @Nullable ShutdownSignalException signal(Throwable e) {
    @Nullable Throwable cause = e;
    while (cause != null) {
      if (cause instanceof ShutdownSignalException signal) {
        return signal;
      }
      cause = cause.getCause();
    }
    return null;
  }

  private static int replyCode(ShutdownSignalException signal) {
    Object reason = signal.getReason();
    if (reason instanceof AMQP.Channel.Close close) {
      return close.getReplyCode();
    }
    if (reason instanceof AMQP.Connection.Close close) {
      return close.getReplyCode();
    }
    return 0;
  }
}
