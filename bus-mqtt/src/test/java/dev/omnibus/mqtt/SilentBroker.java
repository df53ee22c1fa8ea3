package dev.omnibus.mqtt;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An MQTT 5 "broker" that accepts connections (CONNACK, PINGRESP) and never answers a SUBSCRIBE, as a broker gone
 * silent or overloaded would: a subscribe to it times out. Thread-safe.
 */
final class SilentBroker implements AutoCloseable {

  private static final int CONNECT = 1;
  private static final int PINGREQ = 12;

  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

  SilentBroker() throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "silent-broker-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The {@code host:port} clients connect to. */
  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        sockets.add(client);
        Thread reader = new Thread(() -> serve(client), "silent-broker-client");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      DataInputStream in = new DataInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) {
        int type = in.readUnsignedByte() >> 4;
        in.readFully(new byte[remainingLength(in)]);
        if (type == CONNECT) {
          // CONNACK: no session present, reason Success, no properties.
          out.write(new byte[] {0x20, 0x03, 0x00, 0x00, 0x00});
        } else if (type == PINGREQ) {
          out.write(new byte[] {(byte) 0xD0, 0x00});
        }
        out.flush();
      }
    } catch (IOException e) {
      // The client went away.
    }
  }

  private static int remainingLength(DataInputStream in) throws IOException {
    int value = 0;
    int shift = 0;
    int digit;
    do {
      digit = in.readUnsignedByte();
      value |= (digit & 0x7F) << shift;
      shift += 7;
    } while ((digit & 0x80) != 0);
    return value;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}
