// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.features;

import io.lakepipe.core.LakepipeErrors;
import java.util.Locale;

/** How a model encodes a feature: as a number, or as a category (indexed and one-hot encoded). */
public enum FeatureType {
  NUMERIC,
  CATEGORICAL;

  static FeatureType parse(String feature, String value) {
    try {
      return valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw LakepipeErrors.featureDefinitionInvalid(
          feature, "type '" + value + "' is neither numeric nor categorical", e);
    }
  }
}
