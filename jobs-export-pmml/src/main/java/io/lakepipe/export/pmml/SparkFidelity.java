// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dmg.pmml.Apply;
import org.dmg.pmml.Array;
import org.dmg.pmml.Constant;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.DerivedField;
import org.dmg.pmml.Expression;
import org.dmg.pmml.InvalidValueTreatmentMethod;
import org.dmg.pmml.MathContext;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MissingValueTreatmentMethod;
import org.dmg.pmml.Model;
import org.dmg.pmml.OpType;
import org.dmg.pmml.OutputField;
import org.dmg.pmml.PMML;
import org.dmg.pmml.Predicate;
import org.dmg.pmml.ResultFeature;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.SimpleSetPredicate;
import org.dmg.pmml.VisitorAction;
import org.dmg.pmml.mining.MiningModel;
import org.dmg.pmml.mining.Segment;
import org.dmg.pmml.mining.Segmentation;
import org.dmg.pmml.tree.Node;
import org.jpmml.model.ArrayUtil;
import org.jpmml.model.visitors.AbstractVisitor;

/**
 * Corrections to the PMML that JPMML-SparkML 3.1 (and JPMML-XGBoost 1.9) write for lakepipe's
 * pipelines, so that a PMML engine computes what Spark computes. Each one was found by the parity
 * test (PMML4S against Spark on real flights) and is limited to the pattern it corrects.
 */
final class SparkFidelity {
  private SparkFidelity() {}

  /** Applies every correction in place. */
  static void apply(PMML pmml) {
    truncateIntegerFills(pmml);
    zeroVarianceScalesToZero(pmml);
    probabilityOnTheChain(pmml);
    float32Splits(pmml);
    unseenCategoriesDownTheirSide(pmml);
    missingCategoriesAsUnseen(pmml);
  }

  /**
   * Spark's Imputer casts its fill back to the column's type, so an integer column's missing values
   * become the mean truncated toward zero; JPMML-SparkML writes the mean itself.
   */
  static void truncateIntegerFills(PMML pmml) {
    Map<String, DataType> types = new HashMap<>();
    for (DataField field : pmml.getDataDictionary().getDataFields()) {
      types.put(field.getName(), field.getDataType());
    }
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(MiningField field) {
        Object fill = field.getMissingValueReplacement();
        if (fill != null && types.get(field.getName()) == DataType.INTEGER) {
          field.setMissingValueReplacement(
              String.valueOf((long) Double.parseDouble(String.valueOf(fill))));
        }
        return super.visit(field);
      }
    }.applyTo(pmml);
  }

  /**
   * Spark's StandardScaler scales a slot whose training deviation is 0 by 0 (such as the one-hot
   * slot of categories unseen in training, which is always 0 there); JPMML-SparkML writes the
   * factor as 1/0 = Infinity, which makes every score NaN (0 × Infinity), so the factor becomes 0
   * again.
   */
  static void zeroVarianceScalesToZero(PMML pmml) {
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(Apply apply) {
        if ("*".equals(apply.getFunction())) {
          for (Expression expression : apply.getExpressions()) {
            if (expression instanceof Constant constant && isInfinite(constant.getValue())) {
              constant.setValue(0.0);
            }
          }
        }
        return super.visit(apply);
      }
    }.applyTo(pmml);
  }

  /**
   * Gradient-boosted trees become a chain of models whose last one, a logistic regression over the
   * trees' sum, holds the probability fields; engines such as PMML4S answer with the top model's
   * fields only. The top model gets copies of them (the last model keeps its own, which the chain
   * needs), so that {@code probability(1)} is one of the scorer's results.
   */
  static void probabilityOnTheChain(PMML pmml) {
    for (Model model : pmml.getModels()) {
      if (!(model instanceof MiningModel mining)
          || mining.getOutput() == null
          || mining.getSegmentation() == null
          || mining.getSegmentation().getMultipleModelMethod()
              != Segmentation.MultipleModelMethod.MODEL_CHAIN
          || hasProbability(mining.getOutput().getOutputFields())) {
        continue;
      }
      List<Segment> segments = mining.getSegmentation().getSegments();
      Model last = segments.get(segments.size() - 1).getModel();
      if (last.getOutput() == null) {
        continue;
      }
      for (OutputField field : last.getOutput().getOutputFields()) {
        if (field.getResultFeature() == ResultFeature.PROBABILITY) {
          mining
              .getOutput()
              .addOutputFields(
                  new OutputField(field.getName(), field.getOpType(), field.getDataType())
                      .setResultFeature(ResultFeature.PROBABILITY)
                      .setValue(field.getValue()));
        }
      }
    }
  }

  /**
   * XGBoost casts each feature to float32 and sends it left when it is below the split's float32
   * threshold; JPMML-XGBoost writes that threshold and marks the model's math as float, which
   * PMML4S ignores: it compares the double feature with the threshold read as a double, and a
   * feature whose float rounds up onto the threshold (hour 10 of a centred hour, say) goes the
   * other way. Each threshold t becomes the double b for which {@code x < b} exactly when {@code
   * (float) x < t} (the lowest double that rounds to t), and the XGBoost models compute in double.
   * A split on an integer input stays: JPMML-XGBoost already writes it as the integer bound, exact
   * for integers up to 2^24, and engines read a predicate's value as its field's type, so 6.9999997
   * would become 6 there.
   */
  static void float32Splits(PMML pmml) {
    Set<String> integerInputs = new HashSet<>();
    for (DataField field : pmml.getDataDictionary().getDataFields()) {
      if (field.getDataType() == DataType.INTEGER) {
        integerInputs.add(field.getName());
      }
    }
    forEachXgboostModel(pmml, model -> doubleSplits(model, integerInputs));
  }

  /** Calls {@code body} on each XGBoost model of the PMML (not descending into it). */
  private static void forEachXgboostModel(
      PMML pmml, java.util.function.Consumer<MiningModel> body) {
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(MiningModel model) {
        if (model.getAlgorithmName() != null && model.getAlgorithmName().startsWith("XGBoost")) {
          body.accept(model);
          return VisitorAction.SKIP;
        }
        return super.visit(model);
      }
    }.applyTo(pmml);
  }

  private static void doubleSplits(MiningModel xgboost, Set<String> integerInputs) {
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(SimplePredicate predicate) {
        SimplePredicate.Operator operator = predicate.getOperator();
        if ((operator == SimplePredicate.Operator.LESS_THAN
                || operator == SimplePredicate.Operator.GREATER_OR_EQUAL)
            && !integerInputs.contains(predicate.getField())) {
          float threshold = Float.parseFloat(String.valueOf(predicate.getValue()));
          if (Float.isFinite(threshold)) {
            predicate.setValue(String.valueOf(lowestRoundingTo(threshold)));
          }
        }
        return super.visit(predicate);
      }

      @Override
      public VisitorAction visit(DerivedField field) {
        if (field.getDataType() == DataType.FLOAT) {
          field.setDataType(DataType.DOUBLE);
        }
        return super.visit(field);
      }

      @Override
      public VisitorAction visit(OutputField field) {
        if (field.getDataType() == DataType.FLOAT) {
          field.setDataType(DataType.DOUBLE);
        }
        return super.visit(field);
      }

      @Override
      public VisitorAction visit(Model model) {
        if (model.getMathContext() == MathContext.FLOAT) {
          model.setMathContext(MathContext.DOUBLE);
        }
        return super.visit(model);
      }
    }.applyTo(xgboost);
  }

  /**
   * Spark's StringIndexer (handleInvalid=keep) gives an unseen category, and a missing one, its
   * keep bucket: the index past the fitted labels, which no XGBoost split holds, so XGBoost sends
   * it to the side without the split's categories. JPMML-SparkML writes that index as the value
   * {@code __unknown} (the field's invalidValueReplacement), and JPMML-XGBoost puts it on that
   * side; but PMML4S takes an unseen or missing category down the node's default child, which
   * JPMML-XGBoost sets from XGBoost's default direction for missing values. XGBoost never sees a
   * missing category here, so that direction says nothing: over 64 categories (max_cat_threshold)
   * its partitions are also scanned backwards, whose splits default to the side with the categories
   * (one flight of real data was 6.2e-2 off). Each categorical split of the XGBoost models gets the
   * child holding the replacement as its default child, so both readings of an unseen category
   * agree with Spark.
   */
  static void unseenCategoriesDownTheirSide(PMML pmml) {
    Map<String, String> unknownValues = new HashMap<>();
    forEachKeepBucketField(
        pmml,
        field ->
            unknownValues.put(field.getName(), String.valueOf(field.getInvalidValueReplacement())));
    if (unknownValues.isEmpty()) {
      return;
    }
    forEachXgboostModel(pmml, model -> defaultToTheUnknownSide(model, unknownValues));
  }

  private static void defaultToTheUnknownSide(
      MiningModel xgboost, Map<String, String> unknownValues) {
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(Node node) {
        if (node.getDefaultChild() != null && node.hasNodes()) {
          List<Node> holding =
              node.getNodes().stream()
                  .filter(child -> admitsUnknown(child.getPredicate(), unknownValues))
                  .toList();
          // Neither child holds it when a split above already sent unseen categories elsewhere.
          if (holding.size() == 1) {
            node.setDefaultChild(holding.get(0).getId());
          }
        }
        return super.visit(node);
      }
    }.applyTo(xgboost);
  }

  /** Whether the predicate, on a field with an unknown value, is true for that value. */
  private static boolean admitsUnknown(Predicate predicate, Map<String, String> unknownValues) {
    if (predicate instanceof SimpleSetPredicate set && unknownValues.containsKey(set.getField())) {
      boolean in = arrayValues(set.getArray()).contains(unknownValues.get(set.getField()));
      return set.getBooleanOperator() == SimpleSetPredicate.BooleanOperator.IS_IN ? in : !in;
    }
    if (predicate instanceof SimplePredicate simple
        && unknownValues.containsKey(simple.getField())) {
      boolean equal =
          unknownValues.get(simple.getField()).equals(String.valueOf(simple.getValue()));
      return switch (simple.getOperator()) {
        case EQUAL -> equal;
        case NOT_EQUAL -> !equal;
        default -> false;
      };
    }
    return false;
  }

  private static List<String> arrayValues(Array array) {
    Object value = array.getValue();
    return value instanceof Collection<?> values
        ? values.stream().map(String::valueOf).toList()
        : ArrayUtil.parse(array.getType(), String.valueOf(value));
  }

  /**
   * Spark's StringIndexer (handleInvalid=keep) puts a missing category in the same keep bucket as
   * an unseen one, which JPMML-SparkML writes as the categorical MiningField's
   * invalidValueReplacement ({@code __unknown}, treatment asValue); but it writes no
   * missingValueReplacement, so the value stays missing in a PMML engine. PMML4S happens to score
   * it as an unseen one in the regression and the trees (no predictor or split matches it, and
   * XGBoost's default children lead to the keep side, see above), but the perceptron reads the
   * one-hot slots ({@code NormDiscrete}), which are then missing too, and gives no probability: the
   * scorer refused such records (422). Each such field's missing value becomes its unseen one, as
   * in Spark; the other families' probabilities stay the same, bit for bit.
   */
  static void missingCategoriesAsUnseen(PMML pmml) {
    Set<String> categorical = new HashSet<>();
    for (DataField field : pmml.getDataDictionary().getDataFields()) {
      if (field.getOpType() == OpType.CATEGORICAL) {
        categorical.add(field.getName());
      }
    }
    forEachKeepBucketField(
        pmml,
        field -> {
          if (categorical.contains(field.getName()) && field.getMissingValueReplacement() == null) {
            field
                .setMissingValueReplacement(field.getInvalidValueReplacement())
                .setMissingValueTreatment(MissingValueTreatmentMethod.AS_VALUE);
          }
        });
  }

  /**
   * Calls {@code body} on each MiningField that replaces an invalid value by one of its own
   * (asValue), as JPMML-SparkML writes Spark's keep bucket ({@code __unknown}).
   */
  private static void forEachKeepBucketField(
      PMML pmml, java.util.function.Consumer<MiningField> body) {
    new AbstractVisitor() {
      @Override
      public VisitorAction visit(MiningField field) {
        if (field.getInvalidValueTreatment() == InvalidValueTreatmentMethod.AS_VALUE
            && field.getInvalidValueReplacement() != null) {
          body.accept(field);
        }
        return super.visit(field);
      }
    }.applyTo(pmml);
  }

  /**
   * The lowest double that Java's (and XGBoost's) double-to-float cast rounds to {@code t} or
   * above: the midpoint with the float below t, or the double after it when the midpoint rounds
   * down (ties go to the float whose last bit is even).
   */
  static double lowestRoundingTo(float t) {
    double midpoint = ((double) Math.nextDown(t) + (double) t) / 2;
    return (Float.floatToRawIntBits(t) & 1) == 0 ? midpoint : Math.nextUp(midpoint);
  }

  private static boolean hasProbability(List<OutputField> fields) {
    return fields.stream().anyMatch(f -> f.getResultFeature() == ResultFeature.PROBABILITY);
  }

  private static boolean isInfinite(Object value) {
    return value instanceof Number number
        ? Double.isInfinite(number.doubleValue())
        : value != null
            && (value.toString().equals("Infinity") || value.toString().equals("-Infinity"));
  }
}
