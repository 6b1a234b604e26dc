package io.lakepipe.ingest;

import io.lakepipe.core.cli.Validation;
import io.lakepipe.core.cli.Validation.Declaration;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.quality.CheckDeclarationReader;
import java.util.List;

/** {@code ./lakepipe validate}'s part for jobs-ingest: every declared table check. */
public final class ValidateIngestDeclarations {
  private ValidateIngestDeclarations() {}

  /** The declarations jobs-ingest reads, each with its key. */
  public static List<Declaration> declarations(LakepipeConfig config) {
    return config.keys("checks").stream()
        .map(table -> new Declaration("lakepipe.checks." + table,
            () -> CheckDeclarationReader.read(config, table)))
        .toList();
  }

  public static void main(String[] args) {
    System.exit(Validation.run(args, List.of(ValidateIngestDeclarations::declarations), System.out));
  }
}
