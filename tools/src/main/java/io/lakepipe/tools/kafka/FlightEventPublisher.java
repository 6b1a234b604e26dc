// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.tools.kafka;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events to a topic with an idempotent producer (a retried send is written once per
 * partition), at a chosen rate, printing progress. The key of a record is the event id, so all
 * copies of an event land in the same partition.
 */
public final class FlightEventPublisher implements AutoCloseable {
  /** One message: its key, and its value as bytes (null for a tombstone). */
  public record Message(String key, byte[] value) {
    public static Message json(String key, String json) {
      return new Message(key, json.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MAX_LAG_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;
  private final AtomicReference<Exception> failure = new AtomicReference<>();

  public FlightEventPublisher(String bootstrap, String topic) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "lakepipe-replay");
    this.producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /**
   * Sends every message, at most {@code eventsPerSecond} per second (0: as fast as the broker takes
   * them), waits until the broker acknowledged all of them, and returns how many were sent.
   *
   * @param expected how many messages the iterator holds, for the progress lines (0 if unknown)
   * @param progress where progress lines go, or null for none
   */
  public long publish(
      Iterator<Message> messages, long expected, double eventsPerSecond, PrintStream progress) {
    long started = System.nanoTime();
    long lastReport = started;
    long sent = 0;
    // The pace restarts after a stall (reading the input, a slow broker) instead of bursting to
    // catch up.
    long paceStart = started;
    long pacedSent = 0;
    while (messages.hasNext()) {
      Message message = messages.next();
      producer.send(
          new ProducerRecord<>(topic, message.key(), message.value()),
          (meta, error) -> {
            if (error != null) {
              failure.compareAndSet(null, error);
            }
          });
      sent++;
      pacedSent++;
      throwIfFailed();
      if (eventsPerSecond > 0) {
        long due = paceStart + (long) (pacedSent * 1e9 / eventsPerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        } else if (wait < -MAX_LAG_NANOS) {
          paceStart = System.nanoTime();
          pacedSent = 0;
        }
      }
      long now = System.nanoTime();
      if (progress != null && now - lastReport >= PROGRESS_EVERY_NANOS) {
        progress.println(progressLine(sent, expected, now - started));
        lastReport = now;
      }
    }
    producer.flush();
    throwIfFailed();
    if (progress != null) {
      progress.println(
          progressLine(sent, expected, System.nanoTime() - started) + ", all acknowledged");
    }
    return sent;
  }

  private static String progressLine(long sent, long expected, long nanos) {
    double seconds = Math.max(nanos / 1e9, 1e-9);
    String share =
        expected > 0 ? String.format(Locale.ROOT, " (%.0f%%)", 100.0 * sent / expected) : "";
    return String.format(
        Locale.ROOT,
        "published %d%s events in %.1f s, %.0f events/s",
        sent,
        expected > 0 ? "/" + expected + share : "",
        seconds,
        sent / seconds);
  }

  private void throwIfFailed() {
    Exception error = failure.get();
    if (error != null) {
      throw new IllegalStateException(
          "Kafka rejected a send to " + topic + ": " + error.getMessage(), error);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
