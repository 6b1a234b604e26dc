// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

/**
 * How a row's logical date is derived and checked: {@code sql} gives the row's date, which must be
 * the ds of the landing folder the row came from; a row of another day is quarantined with the
 * reason {@code "<label> <its date> is outside the landing folder's ds <ds>"}.
 *
 * @param sql a Spark SQL expression of type DATE over the declared columns
 * @param label what the date is called in that reason, such as {@code flight date}
 */
public record LogicalDate(String sql, String label, Declared at) {}
