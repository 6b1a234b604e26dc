// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.bundle;

/** One declared model input: the JSON key a request carries it under, and its type. */
public record InputField(String name, InputType type) {}
