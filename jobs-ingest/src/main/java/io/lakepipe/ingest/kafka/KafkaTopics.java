// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.kafka;

import io.lakepipe.core.LakepipeErrors;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** A topic on the broker: checks that it is there, or creates it. */
public final class KafkaTopics {
  private static final long TIMEOUT_SECONDS = 15;

  private KafkaTopics() {}

  /** Fails with a clear message when the broker does not answer or the topic does not exist. */
  public static void requireExists(String bootstrap, String topic) {
    try (Admin admin = admin(bootstrap)) {
      boolean exists =
          call(
              bootstrap,
              () ->
                  admin
                      .listTopics()
                      .names()
                      .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                      .contains(topic));
      if (!exists) {
        throw LakepipeErrors.kafkaTopicMissing(topic, bootstrap);
      }
    }
  }

  /**
   * Creates the topic with {@code partitions} partitions unless it exists; returns true if created.
   */
  public static boolean ensureExists(String bootstrap, String topic, int partitions) {
    try (Admin admin = admin(bootstrap)) {
      return call(
          bootstrap,
          () -> {
            if (admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains(topic)) {
              return false;
            }
            try {
              admin
                  .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                  .all()
                  .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
              return true;
            } catch (ExecutionException e) {
              if (e.getCause() instanceof TopicExistsException) {
                return false;
              }
              throw e;
            }
          });
    }
  }

  private static Admin admin(String bootstrap) {
    Properties props = new Properties();
    props.putAll(
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000"));
    return Admin.create(props);
  }

  private interface AdminCall<T> {
    T call() throws InterruptedException, ExecutionException, TimeoutException;
  }

  private static <T> T call(String bootstrap, AdminCall<T> body) {
    try {
      return body.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw LakepipeErrors.kafkaUnreachable(bootstrap, e);
    } catch (ExecutionException | TimeoutException e) {
      throw LakepipeErrors.kafkaUnreachable(bootstrap, e);
    }
  }
}
