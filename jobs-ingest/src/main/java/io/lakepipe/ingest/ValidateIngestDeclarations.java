// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest;

import io.lakepipe.core.cli.Validation;
import io.lakepipe.core.cli.Validation.Declaration;
import io.lakepipe.core.config.LakepipeConfig;
import io.lakepipe.ingest.jdbc.JdbcTableSource;
import io.lakepipe.ingest.quality.CheckDeclarationReader;
import io.lakepipe.ingest.source.SourceDeclarations;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./lakepipe validate}'s part for jobs-ingest: every declared table check, every source read
 * by ingest-files (any kind but jdbc and kafka, so that a misspelt kind is reported too), the JDBC
 * sources (not their credentials, which only the jobs' environment has), and the Kafka sources.
 */
public final class ValidateIngestDeclarations {
  private ValidateIngestDeclarations() {}

  /** The declarations jobs-ingest reads, each with its key. */
  public static List<Declaration> declarations(LakepipeConfig config) {
    List<Declaration> declarations = new ArrayList<>();
    for (String table : config.keys("checks")) {
      declarations.add(
          new Declaration(
              "lakepipe.checks." + table, () -> CheckDeclarationReader.read(config, table)));
    }
    for (String source : config.keys("sources")) {
      String kind =
          config.has("sources." + source + ".kind")
              ? config.string("sources." + source + ".kind")
              : "";
      if (kind.equals("kafka")) {
        declarations.add(
            new Declaration(
                "lakepipe.sources." + source, () -> SourceDeclarations.kafka(config, source)));
      } else if (kind.equals("jdbc")) {
        declarations.add(
            new Declaration(
                "lakepipe.sources." + source,
                () -> {
                  JdbcTableSource.checkDeclaration(config, "sources." + source);
                  SourceDeclarations.jdbc(config, source);
                }));
      } else {
        declarations.add(
            new Declaration(
                "lakepipe.sources." + source, () -> SourceDeclarations.files(config, source)));
      }
    }
    return declarations;
  }

  public static void main(String[] args) {
    System.exit(
        Validation.run(args, List.of(ValidateIngestDeclarations::declarations), System.out));
  }
}
