// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.core.table;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Rows read from a Delta table together with the table version they were read at. */
public record TableRead(String path, long version, Dataset<Row> rows) {}
