// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving.reload;

/** What a loaded model is for, as its reloader's log lines say it. */
public enum ModelRole {
  /** The model whose answers the clients get. */
  SERVED("Serving", "in service"),
  /** The model scored in the background on the same requests, for comparison only. */
  SHADOW("Shadowing", "the shadow");

  private final String verb;
  private final String place;

  ModelRole(String verb, String place) {
    this.verb = verb;
    this.place = place;
  }

  /** How a load's log line starts: "Serving model ..." or "Shadowing model ...". */
  String verb() {
    return verb;
  }

  /** Where a model stays when its reload fails. */
  String place() {
    return place;
  }
}
