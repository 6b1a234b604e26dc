// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes the ingest tests' messages, as the demo's publisher does (module tools, which depends
 * on this one and so cannot serve its tests): an idempotent producer, keyed by event id, at a rate.
 */
final class TestEventPublisher {
  /** One message: its key, and its value as bytes (null for a tombstone). */
  record Message(String key, byte[] value) {
    static Message json(String key, String json) {
      return new Message(key, json.getBytes(StandardCharsets.UTF_8));
    }
  }

  private TestEventPublisher() {}

  /**
   * Sends the messages in order, at most {@code eventsPerSecond} a second (0: no limit), and
   * returns how many the broker acknowledged; a rejected send fails the test.
   */
  static long publish(
      String bootstrap, String topic, List<Message> messages, double eventsPerSecond) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      long started = System.nanoTime();
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      for (Message message : messages) {
        sends.add(producer.send(new ProducerRecord<>(topic, message.key(), message.value())));
        if (eventsPerSecond > 0) {
          long due = started + (long) (sends.size() * 1e9 / eventsPerSecond);
          LockSupport.parkNanos(due - System.nanoTime());
        }
      }
      producer.flush();
      for (Future<RecordMetadata> send : sends) {
        send.get();
      }
      return sends.size();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Kafka rejected a send to " + topic, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
