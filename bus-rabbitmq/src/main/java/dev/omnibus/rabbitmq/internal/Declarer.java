package dev.omnibus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.omnibus.ConfigurationException;
import dev.omnibus.rabbitmq.internal.RabbitMqSettings.DeclareMode;
import dev.omnibus.rabbitmq.internal.Topology.ExchangeSpec;
import dev.omnibus.rabbitmq.internal.Topology.QueueSpec;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Declares (or, in passive mode, checks) exchanges, queues and bindings on a channel, as the server's
 * {@code x-omnibus-declare} says. Declarations are idempotent on the broker; a failed one closes the channel it ran on,
 * which the callers account for.
 *
 * <p>Stateless and thread-safe; each call uses the channel it is given, from one thread at a time.
 */
final class Declarer {

  /** RabbitMQ's reply to a declaration that differs from the queue's: the argument, what was sent, what is. */
  private static final Pattern INEQUIVALENT = Pattern.compile(
      "inequivalent arg '([^']+)' for queue '[^']*' in vhost '[^']*': received (.+?) but current is (.+)$");

  private final RabbitMqSettings settings;

  Declarer(RabbitMqSettings settings) {
    this.settings = settings;
  }

  DeclareMode mode() {
    return settings.declareMode();
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

  /**
   * Declares or checks a queue and returns its name (the broker's, for a server-named one). A server-named queue is
   * a private queue of one subscription: it is declared in every mode, since nothing else could exist in its place.
   */
  String queue(Channel channel, QueueSpec queue) {
    try {
      Map<String, Object> arguments = queue.arguments().isEmpty() ? null : queue.arguments();
      if (queue.serverNamed()) {
        AMQP.Queue.DeclareOk ok = channel.queueDeclare("", queue.durable(), queue.exclusive(), queue.autoDelete(),
            arguments);
        return ok.getQueue();
      }
      switch (settings.declareMode()) {
        case DECLARE -> channel.queueDeclare(queue.name(), queue.durable(), queue.exclusive(), queue.autoDelete(),
            arguments);
        case PASSIVE -> channel.queueDeclarePassive(queue.name());
        case NONE -> { }
      }
      return queue.name();
    } catch (IOException | ShutdownSignalException e) {
      ShutdownSignalException signal = signal(e);
      if (signal != null && replyCode(signal) == AMQP.PRECONDITION_FAILED) {
        throw inequivalent(queue, PublisherChannel.replyText(signal));
      }
      throw failure(queue.describe(), e);
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

  /**
   * Binds a queue to an exchange. Bindings of named queues are declarations, left out in passive and none mode (they
   * are assumed to exist); a server-named queue is always bound, or it would receive nothing.
   */
  void bind(Channel channel, String queue, boolean serverNamed, ExchangeSpec exchange, String key) {
    if (exchange.isDefault() || (!serverNamed && settings.declareMode() != DeclareMode.DECLARE)) {
      return;
    }
    try {
      channel.queueBind(queue, exchange.name(), key);
    } catch (IOException | ShutdownSignalException e) {
      throw failure("binding of queue '" + queue + "' to exchange '" + exchange.name() + "' with key '" + key + "'", e);
    }
  }

  private ConfigurationException failure(String what, Exception e) {
    ShutdownSignalException signal = signal(e);
    String reply = signal == null ? PublisherChannel.rootMessage(e) : PublisherChannel.replyText(signal);
    int code = signal == null ? 0 : replyCode(signal);
    String path = "servers." + settings.server() + ".x-omnibus-declare";
    String vhost = "virtual host '" + settings.virtualHost() + "'";
    if (code == AMQP.NOT_FOUND) {
      return ConfigurationException.of(path, what + " does not exist in " + vhost + " (declare mode "
          + settings.declareMode().name().toLowerCase(java.util.Locale.ROOT) + "): create it on the broker, or let "
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
