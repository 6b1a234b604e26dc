package io.lakepipe.train;

import io.lakepipe.core.cli.Validation;
import io.lakepipe.core.cli.Validation.Declaration;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.features.FeatureCatalog;
import java.util.List;

/** {@code ./lakepipe validate}'s part for jobs-features and jobs-train: the features and the training. */
public final class ValidateTrainingDeclarations {
  private ValidateTrainingDeclarations() {}

  /** The declarations the feature and training jobs read, each with its key. */
  public static List<Declaration> declarations(LakepipeConfig config) {
    return List.of(
        new Declaration("lakepipe.features", () -> FeatureCatalog.from(config)),
        new Declaration("lakepipe.train", () -> TrainingConfig.from(config)));
  }

  public static void main(String[] args) {
    System.exit(Validation.run(args, List.of(ValidateTrainingDeclarations::declarations), System.out));
  }
}
