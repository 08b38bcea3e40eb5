package dev.ringfence.gates.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP answer read whole within the request's timeout and at most a cap of bytes. The JDK client's own timeout
 * covers the wait for the headers only, and on Java 17 a thread blocked reading a body that stalls ignores an
 * interrupt: a peer that sends its headers and then nothing would hold a gate thread until it closed the
 * connection. Here the caller waits on the whole answer, with a time limit, and gives the exchange up after it.
 */
final class CappedAnswer {

  private CappedAnswer() {}

  /**
   * @param http the client
   * @param request the request, with its timeout
   * @param cap the most bytes of body read; a body that is longer comes back cut to {@code cap + 1} bytes
   * @return the answer
   * @throws HttpTimeoutException when the whole answer did not come within the request's timeout
   * @throws IOException when the exchange failed
   * @throws InterruptedException when the caller was interrupted (the exchange is given up)
   */
  static HttpResponse<byte[]> send(HttpClient http, HttpRequest request, int cap)
      throws IOException, InterruptedException {
    Duration timeout = request.timeout().orElseThrow(() -> new IllegalArgumentException("request: has no timeout"));
    CompletableFuture<HttpResponse<byte[]>> answer = http.sendAsync(request, info -> new Capped(cap));
    try {
      return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new HttpTimeoutException("no whole answer within " + timeout);
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(String.valueOf(cause), cause);
    }
  }

  /** Collects a body up to {@code cap + 1} bytes, then stops reading it. */
  private static final class Capped implements HttpResponse.BodySubscriber<byte[]> {
    private final int cap;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    Capped(int cap) {
      this.cap = cap;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer item : items) {
        int take = Math.min(item.remaining(), cap + 1 - bytes.size());
        byte[] chunk = new byte[take];
        item.get(chunk);
        bytes.write(chunk, 0, take);
        if (bytes.size() > cap) {
          subscription.cancel();
          body.complete(bytes.toByteArray());
          return;
        }
      }
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }
}
