// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.bench;

import io.lakepipe.serving.bundle.Bundle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Bundles shaped like the flights model that JPMML-SparkML exports, for benchmarking before (or
 * without) a real export: the flight features of lakepipe.features (hour, day of week, month,
 * distance, origin and destination airports with their latitude, longitude and state), 229 airports
 * as in flights-3m.
 *
 * <ul>
 *   <li>{@code lr}: a logistic regression over one-hot categories (StringIndexer keep +
 *       OneHotEncoder) and imputed numbers: a RegressionModel with about 560 categorical
 *       predictors;
 *   <li>{@code gbt}: gradient-boosted trees as JPMML-SparkML writes GBTClassifier: a model chain of
 *       a sum of 100 regression trees of depth 5 and a logit over twice the margin.
 * </ul>
 *
 * Coefficients, splits and leaf values are random (seeded): only the shape and size matter here.
 */
final class SyntheticBundles {
  static final int AIRPORTS = 229;
  static final int STATES = 50;
  static final String[] NUMERIC = {
    "hour",
    "day_of_week",
    "month",
    "distance",
    "origin_latitude",
    "origin_longitude",
    "destination_latitude",
    "destination_longitude"
  };
  static final String[] INTEGER = {"hour", "day_of_week", "month"};
  static final String[] CATEGORICAL = {
    "origin", "destination", "origin_state", "destination_state"
  };

  private SyntheticBundles() {}

  static String airport(int i) {
    return String.format(Locale.ROOT, "A%02d", i);
  }

  static String state(int i) {
    return String.format(Locale.ROOT, "S%02d", i);
  }

  static List<String> categories(String field) {
    List<String> values = new ArrayList<>();
    boolean airport = field.equals("origin") || field.equals("destination");
    for (int i = 0; i < (airport ? AIRPORTS : STATES); i++) {
      values.add(airport ? airport(i) : state(i));
    }
    return values;
  }

  /**
   * A random record of the flights model's inputs; every 50th has an unknown airport, every 40th a
   * null.
   */
  static Map<String, Object> record(Random random, int i) {
    Map<String, Object> record = new java.util.HashMap<>();
    record.put("hour", (long) random.nextInt(24));
    record.put("day_of_week", (long) (1 + random.nextInt(7)));
    record.put("month", (long) (1 + random.nextInt(6)));
    record.put("distance", 50.0 + random.nextInt(2500));
    record.put("origin_latitude", 25 + 20 * random.nextDouble());
    record.put("origin_longitude", -120 + 50 * random.nextDouble());
    record.put("destination_latitude", 25 + 20 * random.nextDouble());
    record.put("destination_longitude", -120 + 50 * random.nextDouble());
    record.put("origin", i % 50 == 49 ? "ZZZ" : airport(random.nextInt(AIRPORTS)));
    record.put("destination", airport(random.nextInt(AIRPORTS)));
    record.put("origin_state", state(random.nextInt(STATES)));
    record.put("destination_state", i % 40 == 39 ? null : state(random.nextInt(STATES)));
    return record;
  }

  static Path write(Path dir, String kind) throws IOException {
    String pmml = kind.equals("gbt") ? gbt(new Random(7)) : lr(new Random(7));
    byte[] bytes = pmml.getBytes(StandardCharsets.UTF_8);
    StringBuilder inputs = new StringBuilder();
    for (String field : NUMERIC) {
      inputs
          .append(inputs.length() == 0 ? "" : ", ")
          .append("{\"name\": \"")
          .append(field)
          .append("\", \"type\": \"")
          .append(isInteger(field) ? "integer" : "double")
          .append("\"}");
    }
    for (String field : CATEGORICAL) {
      inputs.append(", {\"name\": \"").append(field).append("\", \"type\": \"string\"}");
    }
    String manifest =
        "{\"model_name\": \"bench_"
            + kind
            + "\", \"model_version\": \"1\", \"run_id\": \"bench\","
            + " \"threshold\": 0.3, \"output_field\": \"probability(1)\", \"inputs\": ["
            + inputs
            + "],"
            + " \"metrics\": {}, \"pmml_sha256\": \""
            + Bundle.sha256(bytes)
            + "\", \"created_at\": \"bench\"}";
    Files.createDirectories(dir);
    Files.write(dir.resolve(Bundle.PMML_FILE), bytes);
    Files.writeString(dir.resolve(Bundle.MANIFEST_FILE), manifest);
    return dir;
  }

  private static boolean isInteger(String field) {
    return List.of(INTEGER).contains(field);
  }

  private static void header(StringBuilder out) {
    out.append(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\">\n")
        .append(
            "<Header><Application name=\"lakepipe bench synthetic model\"/></Header>\n<DataDictionary>\n")
        .append(
            "<DataField name=\"delayed\" optype=\"categorical\" dataType=\"integer\"><Value value=\"0\"/><Value value=\"1\"/></DataField>\n");
    for (String field : NUMERIC) {
      out.append("<DataField name=\"")
          .append(field)
          .append("\" optype=\"continuous\" dataType=\"")
          .append(isInteger(field) ? "integer" : "double")
          .append("\"/>\n");
    }
    for (String field : CATEGORICAL) {
      out.append("<DataField name=\"")
          .append(field)
          .append("\" optype=\"categorical\" dataType=\"string\">");
      for (String value : categories(field)) {
        out.append("<Value value=\"").append(value).append("\"/>");
      }
      out.append("<Value value=\"__unknown\"/></DataField>\n");
    }
    out.append("</DataDictionary>\n");
  }

  private static void miningSchema(StringBuilder out, boolean target) {
    out.append("<MiningSchema>\n");
    if (target) {
      out.append("<MiningField name=\"delayed\" usageType=\"target\"/>\n");
    }
    for (String field : NUMERIC) {
      out.append("<MiningField name=\"")
          .append(field)
          .append("\" missingValueReplacement=\"")
          .append(isInteger(field) ? "3" : "100.0")
          .append("\"/>\n");
    }
    for (String field : CATEGORICAL) {
      out.append("<MiningField name=\"")
          .append(field)
          .append("\" invalidValueTreatment=\"asValue\" invalidValueReplacement=\"__unknown\"/>\n");
    }
    out.append("</MiningSchema>\n");
  }

  private static String probabilityOutputs() {
    return "<Output><OutputField name=\"probability(0)\" optype=\"continuous\" dataType=\"double\" feature=\"probability\" value=\"0\"/>"
        + "<OutputField name=\"probability(1)\" optype=\"continuous\" dataType=\"double\" feature=\"probability\" value=\"1\"/></Output>\n";
  }

  static String lr(Random random) {
    StringBuilder out = new StringBuilder();
    header(out);
    out.append("<RegressionModel functionName=\"classification\" normalizationMethod=\"logit\">\n");
    miningSchema(out, true);
    out.append(probabilityOutputs());
    out.append("<RegressionTable intercept=\"-1.3\" targetCategory=\"1\">\n");
    for (String field : NUMERIC) {
      out.append("<NumericPredictor name=\"")
          .append(field)
          .append("\" coefficient=\"")
          .append(random.nextGaussian() * 0.01)
          .append("\"/>\n");
    }
    for (String field : CATEGORICAL) {
      for (String value : categories(field)) {
        out.append("<CategoricalPredictor name=\"")
            .append(field)
            .append("\" value=\"")
            .append(value)
            .append("\" coefficient=\"")
            .append(random.nextGaussian() * 0.3)
            .append("\"/>\n");
      }
    }
    out.append(
        "</RegressionTable>\n<RegressionTable intercept=\"0.0\" targetCategory=\"0\"/>\n</RegressionModel>\n</PMML>\n");
    return out.toString();
  }

  static String gbt(Random random) {
    StringBuilder out = new StringBuilder();
    header(out);
    out.append("<MiningModel functionName=\"classification\">\n");
    miningSchema(out, true);
    out.append(probabilityOutputs());
    out.append("<Segmentation multipleModelMethod=\"modelChain\">\n<Segment id=\"1\"><True/>\n")
        .append("<MiningModel functionName=\"regression\">\n");
    miningSchema(out, false);
    out.append(
            "<Output><OutputField name=\"gbtValue\" optype=\"continuous\" dataType=\"double\" isFinalResult=\"false\"/></Output>\n")
        .append("<Segmentation multipleModelMethod=\"sum\">\n");
    for (int t = 0; t < 100; t++) {
      out.append("<Segment id=\"")
          .append(t + 1)
          .append(
              "\"><True/>\n<TreeModel functionName=\"regression\""
                  + " noTrueChildStrategy=\"returnLastPrediction\" splitCharacteristic=\"binarySplit\">\n");
      miningSchema(out, false);
      int[] counter = {0};
      node(out, random, 5, new StringBuilder("<True/>"), counter);
      out.append("</TreeModel>\n</Segment>\n");
    }
    out.append("</Segmentation>\n</MiningModel>\n</Segment>\n<Segment id=\"2\"><True/>\n")
        .append("<RegressionModel functionName=\"classification\" normalizationMethod=\"logit\">\n")
        .append(
            "<MiningSchema><MiningField name=\"delayed\" usageType=\"target\"/><MiningField name=\"gbtValue\"/></MiningSchema>\n")
        .append(probabilityOutputs())
        .append(
            "<RegressionTable intercept=\"0.0\" targetCategory=\"1\"><NumericPredictor name=\"gbtValue\" coefficient=\"2.0\"/></RegressionTable>\n")
        .append(
            "<RegressionTable intercept=\"0.0\" targetCategory=\"0\"/>\n</RegressionModel>\n</Segment>\n")
        .append("</Segmentation>\n</MiningModel>\n</PMML>\n");
    return out.toString();
  }

  private static void node(
      StringBuilder out, Random random, int depth, CharSequence predicate, int[] counter) {
    counter[0]++;
    if (depth == 0) {
      out.append("<Node score=\"")
          .append(random.nextGaussian() * 0.1)
          .append("\">")
          .append(predicate)
          .append("</Node>\n");
      return;
    }
    out.append("<Node>").append(predicate).append('\n');
    StringBuilder split = new StringBuilder();
    if (random.nextInt(3) == 0) {
      String field = CATEGORICAL[random.nextInt(CATEGORICAL.length)];
      List<String> values = categories(field);
      StringBuilder array = new StringBuilder();
      for (int i = 0; i < values.size() / 3; i++) {
        array.append(i == 0 ? "" : " ").append(values.get(random.nextInt(values.size())));
      }
      split
          .append("<SimpleSetPredicate field=\"")
          .append(field)
          .append("\" booleanOperator=\"isIn\"><Array type=\"string\">")
          .append(array)
          .append("</Array></SimpleSetPredicate>");
    } else {
      String field = NUMERIC[random.nextInt(NUMERIC.length)];
      double value =
          switch (field) {
            case "hour" -> random.nextInt(24) + 0.5;
            case "day_of_week" -> random.nextInt(7) + 0.5;
            case "month" -> random.nextInt(6) + 0.5;
            case "distance" -> 50 + random.nextInt(2500);
            default ->
                field.endsWith("latitude")
                    ? 25 + 20 * random.nextDouble()
                    : -120 + 50 * random.nextDouble();
          };
      split
          .append("<SimplePredicate field=\"")
          .append(field)
          .append("\" operator=\"lessOrEqual\" value=\"")
          .append(value)
          .append("\"/>");
    }
    node(out, random, depth - 1, split, counter);
    node(out, random, depth - 1, "<True/>", counter);
    out.append("</Node>\n");
  }
}
