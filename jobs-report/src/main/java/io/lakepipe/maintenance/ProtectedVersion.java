// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.maintenance;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Delta table version that a registered model version was trained on, as its training run
 * recorded it: maintenance keeps every file of it, so the training set can be read again.
 *
 * @param path the table's path as the run tagged it
 * @param version the table version the run read
 * @param model the registered model
 * @param modelVersion the model's version
 * @param runId the training run that recorded it
 */
public record ProtectedVersion(
    String path, long version, String model, String modelVersion, String runId) {

  /**
   * The run tags of an input table, {@code lakepipe.input.<input>.path} and {@code
   * lakepipe.input.<input>.version}, as the training job writes them (jobs-train's {@code
   * TrainingRunLog.lineageTags}: features and labels).
   */
  private static final Pattern INPUT_PATH = Pattern.compile("lakepipe\\.input\\.(.+)\\.path");

  /** The input table versions that a model version's training run recorded in its tags. */
  public static List<ProtectedVersion> fromRunTags(
      String model, String modelVersion, String runId, Map<String, String> tags) {
    List<ProtectedVersion> inputs = new ArrayList<>();
    for (Map.Entry<String, String> tag : new TreeMap<>(tags).entrySet()) {
      Matcher path = INPUT_PATH.matcher(tag.getKey());
      if (!path.matches()) {
        continue;
      }
      String version = tags.get("lakepipe.input." + path.group(1) + ".version");
      if (version == null || !version.strip().matches("\\d+")) {
        continue;
      }
      inputs.add(
          new ProtectedVersion(
              normalized(tag.getValue()),
              Long.parseLong(version.strip()),
              model,
              modelVersion,
              runId));
    }
    return inputs;
  }

  /** Whether this version is of the table at {@code tablePath}. */
  public boolean isOf(String tablePath) {
    return path.equals(normalized(tablePath));
  }

  /**
   * A table path as written in a config or a tag, without the trailing slash or {@code file:}, and
   * a local path made absolute and normal ({@code ./a/../b} is {@code <working folder>/b}).
   */
  static String normalized(String path) {
    String p = path.strip().replaceAll("/+$", "");
    p =
        p.startsWith("file://")
            ? p.substring("file://".length())
            : p.startsWith("file:") ? p.substring("file:".length()) : p;
    if (p.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      return p;
    }
    return Path.of(p).toAbsolutePath().normalize().toString();
  }

  /** How the log names it: {@code v12 (lakepipe_flights_delay version 3, run abc)}. */
  public String describe() {
    return "v" + version + " (" + model + " version " + modelVersion + ", run " + runId + ")";
  }
}
