// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import java.io.Serializable;
import java.util.List;

/**
 * What the deep-learning family trains on and how: the raw numeric inputs, the categorical inputs
 * and their StringIndexer index columns, the 0/1 label, and the network's hyperparameters. {@code
 * processes} is the number of barrier tasks, one PyTorch process each (DistributedDataParallel over
 * gloo when more than one); {@code threads} the torch threads of each. A number whose fit values
 * are whole and span at most {@code embedIntegersUpTo} values is embedded like a category (0:
 * none).
 */
public record TorchSettings(
    List<String> numeric,
    List<String> categorical,
    List<String> categoryIndexes,
    String label,
    int epochs,
    int batchSize,
    double learningRate,
    List<Integer> hiddenLayers,
    double dropout,
    double weightDecay,
    int embedIntegersUpTo,
    int processes,
    int threads,
    long seed)
    implements Serializable {

  public TorchSettings {
    numeric = List.copyOf(numeric);
    categorical = List.copyOf(categorical);
    categoryIndexes = List.copyOf(categoryIndexes);
    if (categoryIndexes.size() != categorical.size()) {
      throw new IllegalArgumentException("torch: one index column per category");
    }
    hiddenLayers = List.copyOf(hiddenLayers);
    if (epochs < 1 || batchSize < 1 || processes < 1 || threads < 1) {
      throw new IllegalArgumentException(
          "torch: epochs, batch-size, num-processes and threads must be at least 1");
    }
    if (embedIntegersUpTo < 0) {
      throw new IllegalArgumentException("torch: embed-integers-up-to must be 0 or more");
    }
    if (!(learningRate > 0) || dropout < 0 || dropout >= 1 || weightDecay < 0) {
      throw new IllegalArgumentException(
          "torch: learning-rate must be above 0, dropout in [0, 1), weight-decay 0 or more");
    }
  }
}
