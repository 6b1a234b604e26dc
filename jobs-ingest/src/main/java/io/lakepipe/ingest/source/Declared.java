// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.ingest.source;

/**
 * Where a value of a declaration came from, for errors found after reading it (such as an
 * expression that does not fit the declared schema).
 *
 * @param key the full key, e.g. {@code lakepipe.sources.flights.expectations[2].sql}
 * @param origin the file and line that set it, e.g. {@code config/local.conf:12}
 */
public record Declared(String key, String origin) {}
