package dev.ringfence.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import okio.BufferedSink;

/**
 * OkHttp's {@link MockWebServer} as the remote peers of the agent's HTTP tests (an update server, a signal
 * collector, an attacker's server), on 127.0.0.1: started with a dispatcher, answered with bytes, and bodies that
 * never end or stall half-way for the attacks.
 */
final class MockPeers {

  private MockPeers() {}

  /** @return a started server on 127.0.0.1 that answers every request with {@code dispatcher} */
  static MockWebServer start(Dispatcher dispatcher) {
    MockWebServer server = new MockWebServer();
    server.setDispatcher(dispatcher);
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return server;
  }

  /**
   * @param channel the channel whose routes answer
   * @param envelope what {@code /v1/channels/CHANNEL/envelope...} answers
   * @param release what {@code /v1/channels/CHANNEL/releases/...} answers
   * @param other what every other request answers
   * @return a started update server of one channel on 127.0.0.1
   */
  static MockWebServer updateServer(String channel, Function<RecordedRequest, MockResponse> envelope,
      Function<RecordedRequest, MockResponse> release, Function<RecordedRequest, MockResponse> other) {
    String routes = "/v1/channels/" + channel;
    return start(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        if (path.startsWith(routes + "/envelope")) {
          return envelope.apply(request);
        }
        if (path.startsWith(routes + "/releases/")) {
          return release.apply(request);
        }
        return other.apply(request);
      }
    });
  }

  /** @return {@link #updateServer(String, Function, Function, Function)} answering 404 to every other request */
  static MockWebServer updateServer(String channel, Function<RecordedRequest, MockResponse> envelope,
      Function<RecordedRequest, MockResponse> release) {
    return updateServer(channel, envelope, release, request -> respond(404, new byte[0]));
  }

  /** @return the server's base URI, {@code http://127.0.0.1:PORT/} */
  static URI base(MockWebServer server) {
    return URI.create("http://127.0.0.1:" + server.getPort() + "/");
  }

  /** @return a response with this status and body (none when empty) */
  static MockResponse respond(int status, byte[] body) {
    MockResponse.Builder response = new MockResponse.Builder().code(status);
    return body.length == 0 ? response.build() : response.body(new Buffer().write(body)).build();
  }

  /**
   * @param claimedLength the Content-Length to send, or -1 for none (the body ends when the connection does)
   * @param until the body stops when this opens, or when the client hangs up
   * @return a response whose body streams zeros until the client hangs up
   */
  static MockResponse endless(long claimedLength, CountDownLatch until) {
    MockResponse.Builder response = new MockResponse.Builder().code(200).body(new MockResponseBody() {
      @Override
      public long getContentLength() {
        return claimedLength;
      }

      @Override
      public void writeTo(BufferedSink sink) {
        byte[] chunk = new byte[8192];
        try {
          for (int i = 0; i < (1 << 17) && until.getCount() > 0; i++) {
            sink.write(chunk);
            sink.flush();
          }
        } catch (IOException expected) {
          // the client hung up: what the test wants
        }
      }
    });
    return claimedLength < 0 ? response.removeHeader("Content-Length").build() : response.build();
  }

  /** @return a response with the right length that sends half of {@code content}, then nothing until {@code until} */
  static MockResponse stalledHalfWay(byte[] content, CountDownLatch until) {
    return new MockResponse.Builder().code(200).body(new MockResponseBody() {
      @Override
      public long getContentLength() {
        return content.length;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        sink.write(content, 0, content.length / 2);
        sink.flush();
        try {
          until.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }).build();
  }
}
