// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.split;

/** One round of a hyperparameter search: fit on {@code train}, score on {@code validation}. */
public record Fold(int number, DayRange train, DayRange validation) {}
