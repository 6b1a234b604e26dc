// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the trainer reported (its history.json): the mean loss of each epoch over all processes, how
 * many processes trained together and the seconds they took.
 */
public record TrainingHistory(List<Double> epochLosses, int processes, double seconds)
    implements Serializable {

  public TrainingHistory {
    epochLosses = List.copyOf(epochLosses);
  }

  /** A loaded model's: its training is not saved with it. */
  static final TrainingHistory NONE = new TrainingHistory(List.of(), 0, 0);

  static TrainingHistory parse(String json) {
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      List<Double> losses = new ArrayList<>();
      root.path("epoch_loss").forEach(loss -> losses.add(loss.asDouble()));
      return new TrainingHistory(
          losses, root.path("world_size").asInt(), root.path("seconds").asDouble());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
