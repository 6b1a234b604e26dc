// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.table.TableRead;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Labelled feature rows of a date range, with the feature and label tables as read (paths and Delta
 * versions), which a training logs so that it can be repeated on exactly the same rows.
 */
public record TrainingSet(Dataset<Row> rows, TableRead features, TableRead labels) {}
