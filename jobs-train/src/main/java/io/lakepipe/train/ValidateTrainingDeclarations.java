// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train;

import io.lakepipe.core.cli.Validation;
import io.lakepipe.core.cli.Validation.Declaration;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.features.FeatureViewReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code ./lakepipe validate}'s part for jobs-features and jobs-train: every feature view and every
 * model, as train-model reads it with its view.
 */
public final class ValidateTrainingDeclarations {
  private ValidateTrainingDeclarations() {}

  /** The declarations the feature and training jobs read, each with its key. */
  public static List<Declaration> declarations(LakepipeConfig config) {
    List<Declaration> declarations = new ArrayList<>();
    for (String view : config.has("views") ? config.keys("views") : Set.<String>of()) {
      declarations.add(
          new Declaration("lakepipe.views." + view, () -> FeatureViewReader.read(config, view)));
    }
    for (String model : config.has("models") ? config.keys("models") : Set.<String>of()) {
      declarations.add(
          new Declaration("lakepipe.models." + model, () -> TrainModel.declared(config, model)));
    }
    return declarations;
  }

  public static void main(String[] args) {
    System.exit(
        Validation.run(args, List.of(ValidateTrainingDeclarations::declarations), System.out));
  }
}
