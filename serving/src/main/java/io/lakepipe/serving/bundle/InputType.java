// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The type of a model input as bundle.json declares it. Numbers travel as JSON numbers, categories
 * as JSON strings; null means a missing value for every type.
 */
public enum InputType {
  /** Any finite JSON number. */
  DOUBLE("double"),
  /** A whole JSON number within 64 bits. */
  LONG("long"),
  /** A whole JSON number within 32 bits. */
  INTEGER("integer"),
  /** A category, as a JSON string. */
  STRING("string");

  private final String jsonName;

  InputType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name bundle.json uses. */
  public String jsonName() {
    return jsonName;
  }

  public boolean isNumeric() {
    return this != STRING;
  }

  /** The type bundle.json calls {@code name}, if any. */
  public static Optional<InputType> fromJson(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(t -> t.jsonName.equals(wanted)).findFirst();
  }
}
