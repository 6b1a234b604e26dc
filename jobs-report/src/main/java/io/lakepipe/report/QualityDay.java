// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.report;

import java.time.LocalDate;

/**
 * The verdicts of one quality table for one ds.
 *
 * @param table the quality table's name in {@code lakepipe.tables}
 * @param checks constraints (bronze) or features (features gate) checked
 * @param failed those that failed
 * @param detail what failed, or the largest drift, in a few words; empty when nothing to say
 */
public record QualityDay(LocalDate ds, String table, long checks, long failed, String detail) {}
