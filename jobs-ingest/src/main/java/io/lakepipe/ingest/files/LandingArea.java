// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import java.time.LocalDate;
import java.util.List;

/**
 * Where landed files wait for ingestion, one folder per logical date ({@code <location>/ds=<ds>/}).
 * Listing goes through this small interface so that a missing day is a clear error before Spark
 * reads anything, on the local disk, S3 and HDFS alike.
 */
public interface LandingArea {
  /** The folder of one logical date, as Spark addresses it. */
  String folder(LocalDate ds);

  /** The data files landed for the date, as paths Spark can read; empty when there are none. */
  List<String> files(LocalDate ds);

  /** True for names of files that writers leave beside the data (_SUCCESS, .crc, hidden). */
  static boolean isDataFile(String name) {
    return !name.startsWith("_") && !name.startsWith(".") && !name.endsWith(".crc");
  }
}
