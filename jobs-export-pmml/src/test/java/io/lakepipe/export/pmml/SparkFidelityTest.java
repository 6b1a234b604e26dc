// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.dmg.pmml.Array;
import org.dmg.pmml.ComplexArray;
import org.dmg.pmml.DataDictionary;
import org.dmg.pmml.DataField;
import org.dmg.pmml.DataType;
import org.dmg.pmml.Header;
import org.dmg.pmml.InvalidValueTreatmentMethod;
import org.dmg.pmml.MiningField;
import org.dmg.pmml.MiningFunction;
import org.dmg.pmml.MiningSchema;
import org.dmg.pmml.MissingValueTreatmentMethod;
import org.dmg.pmml.OpType;
import org.dmg.pmml.PMML;
import org.dmg.pmml.SimplePredicate;
import org.dmg.pmml.SimpleSetPredicate;
import org.dmg.pmml.True;
import org.dmg.pmml.mining.MiningModel;
import org.dmg.pmml.mining.Segment;
import org.dmg.pmml.mining.Segmentation;
import org.dmg.pmml.neural_network.NeuralNetwork;
import org.dmg.pmml.tree.BranchNode;
import org.dmg.pmml.tree.LeafNode;
import org.dmg.pmml.tree.Node;
import org.dmg.pmml.tree.TreeModel;
import org.junit.jupiter.api.Test;

class SparkFidelityTest {
  @Test
  void aDoubleIsBelowTheRewrittenThresholdExactlyWhenItsFloatIsBelowTheFloatOne() {
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      float t = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(8) - 4));
      double bound = SparkFidelity.lowestRoundingTo(t);
      // Doubles around the boundary, where the cast decides, and the boundary's neighbours.
      for (double x :
          new double[] {
            bound, Math.nextDown(bound), Math.nextUp(bound), t, Math.nextDown(t), Math.nextUp(t)
          }) {
        assertThat(x < bound).as("x = %s, t = %s", x, t).isEqualTo((float) x < t);
      }
    }
  }

  @Test
  void aCentredHourOfTenStaysOnTheSideXgboostSendsIt() {
    // hour 10 minus the training mean: its float rounds up onto the threshold XGBoost learnt.
    double centred = 10 - 13.215479697707167;
    float threshold = (float) centred;

    assertThat(centred < threshold).as("the double comparison PMML4S made").isTrue();
    assertThat(centred < SparkFidelity.lowestRoundingTo(threshold)).isFalse();
  }

  @Test
  void anUnseenCategoryDefaultsToTheSideXgboostSendsItsKeepBucket() {
    // As JPMML writes a split of XGBoost's: the side without its categories holds __unknown, the
    // default child (XGBoost's direction for missing values) is the other one.
    Node unknownSide =
        new LeafNode(
            0.1,
            new SimpleSetPredicate(
                "origin",
                SimpleSetPredicate.BooleanOperator.IS_IN,
                new ComplexArray()
                    .setType(Array.Type.STRING)
                    .setValue(List.of("ATL", "__unknown"))));
    Node otherSide =
        new LeafNode(
            -0.1,
            new SimpleSetPredicate(
                "origin",
                SimpleSetPredicate.BooleanOperator.IS_IN,
                new Array(Array.Type.STRING, "ORD")));
    Node split =
        new BranchNode(null, True.INSTANCE)
            .setId(0)
            .setDefaultChild(2)
            .addNodes(unknownSide.setId(1), otherSide.setId(2));
    Node hour =
        new BranchNode(null, True.INSTANCE)
            .setId(0)
            .setDefaultChild(2)
            .addNodes(
                new LeafNode(
                        0.2, new SimplePredicate("hour", SimplePredicate.Operator.LESS_THAN, 9))
                    .setId(1),
                new LeafNode(
                        0.3,
                        new SimplePredicate("hour", SimplePredicate.Operator.GREATER_OR_EQUAL, 9))
                    .setId(2));
    MiningModel xgboost =
        new MiningModel(
                MiningFunction.REGRESSION,
                new MiningSchema()
                    .addMiningFields(
                        new MiningField("origin")
                            .setInvalidValueTreatment(InvalidValueTreatmentMethod.AS_VALUE)
                            .setInvalidValueReplacement("__unknown")))
            .setAlgorithmName("XGBoost (GBTree)")
            .setSegmentation(
                new Segmentation(
                    Segmentation.MultipleModelMethod.SUM,
                    List.of(
                        new Segment(
                            True.INSTANCE,
                            new TreeModel(MiningFunction.REGRESSION, new MiningSchema(), split)),
                        new Segment(
                            True.INSTANCE,
                            new TreeModel(MiningFunction.REGRESSION, new MiningSchema(), hour)))));
    PMML pmml = new PMML("4.4", new Header(), new DataDictionary()).addModels(xgboost);

    SparkFidelity.unseenCategoriesDownTheirSide(pmml);

    assertThat(split.getDefaultChild()).isEqualTo(1);
    assertThat(hour.getDefaultChild()).as("a numeric split keeps its default").isEqualTo(2);
  }

  @Test
  void aMissingCategoryIsReplacedByTheUnseenOneAsSparksKeepBucketTakesBoth() {
    // As JPMML-SparkML writes a perceptron's inputs: a StringIndexer (keep) category and a number.
    MiningField origin =
        new MiningField("origin")
            .setInvalidValueTreatment(InvalidValueTreatmentMethod.AS_VALUE)
            .setInvalidValueReplacement("__unknown");
    MiningField hour = new MiningField("hour").setMissingValueReplacement("11");
    MiningField delayed = new MiningField("delayed").setUsageType(MiningField.UsageType.TARGET);
    PMML pmml =
        new PMML(
                "4.4",
                new Header(),
                new DataDictionary()
                    .addDataFields(
                        new DataField("origin", OpType.CATEGORICAL, DataType.STRING),
                        new DataField("hour", OpType.CONTINUOUS, DataType.INTEGER),
                        new DataField("delayed", OpType.CATEGORICAL, DataType.DOUBLE)))
            .addModels(
                new NeuralNetwork()
                    .setMiningFunction(MiningFunction.CLASSIFICATION)
                    .setMiningSchema(new MiningSchema().addMiningFields(delayed, hour, origin)));

    SparkFidelity.missingCategoriesAsUnseen(pmml);

    assertThat(origin.getMissingValueReplacement()).isEqualTo("__unknown");
    assertThat(origin.getMissingValueTreatment()).isEqualTo(MissingValueTreatmentMethod.AS_VALUE);
    assertThat(hour.getMissingValueReplacement()).as("a number keeps its fill").isEqualTo("11");
    assertThat(delayed.getMissingValueReplacement()).as("the target has no unseen value").isNull();
  }
}
