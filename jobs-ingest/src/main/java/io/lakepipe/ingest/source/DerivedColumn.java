// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

/**
 * A column of the bronze table: {@code name}, computed by a Spark SQL expression over the row's
 * declared columns.
 */
public record DerivedColumn(String name, String sql, Declared at) {}
