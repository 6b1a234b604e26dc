// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.files;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Landed records parsed into the declared columns, with the rules their parsing found broken. The
 * rows keep helper columns (named with a leading {@code __}) that the rules refer to; {@link
 * LandedRecords} combines the rules into one reason and drops the helpers.
 */
public record ParsedRecords(Dataset<Row> rows, List<Column> rules) {}
