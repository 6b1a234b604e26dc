// SPDX-License-Identifier: AGPL-3.0-only
package io.lakepipe.export.pmml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.XGBoostError;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassificationModel;
import org.dmg.pmml.Model;
import org.dmg.pmml.mining.MiningModel;
import org.jpmml.converter.Schema;
import org.jpmml.converter.mining.MiningModelUtil;
import org.jpmml.sparkml.ProbabilisticClassificationModelConverter;
import org.jpmml.xgboost.HasXGBoostOptions;
import org.jpmml.xgboost.Learner;
import org.jpmml.xgboost.XGBoostUtil;

/**
 * Converts an XGBoost4J-Spark 3.x classifier to PMML: JPMML-XGBoost reads its booster (UBJSON, the
 * format of XGBoost 2.1 and later), and JPMML-SparkML adds the probability outputs as for Spark's
 * own classifiers. Registered in this module's {@code META-INF/sparkml2pmml.properties}; it stands
 * in for JPMML-SparkML's XGBoost module, whose 3.1 line (the one for Spark 3.5) reads
 * XGBoost4J-Spark up to 2.1 only (3.0 moved {@code getMissing} to {@code SparkParams} and writes
 * models of version 3).
 */
public final class XGBoostClassificationModelConverter
    extends ProbabilisticClassificationModelConverter<XGBoostClassificationModel> {

  public XGBoostClassificationModelConverter(XGBoostClassificationModel model) {
    super(model);
  }

  @Override
  public MiningModel encodeModel(Schema schema) {
    XGBoostClassificationModel model = getModel();
    Learner learner = learner(model);
    float missing = model.getMissing();
    Map<String, Object> options = new LinkedHashMap<>();
    // Spark passes NaN for "no missing value marker"; JPMML-XGBoost says that with null.
    options.put(HasXGBoostOptions.OPTION_MISSING, Float.isNaN(missing) ? null : missing);
    // XGBoost's float32 comparisons are written as double ones by SparkFidelity.float32Splits.
    options.put(HasXGBoostOptions.OPTION_COMPACT, false);
    options.put(HasXGBoostOptions.OPTION_NUMERIC, true);
    options.put(HasXGBoostOptions.OPTION_PRUNE, false);
    options.put(HasXGBoostOptions.OPTION_NTREE_LIMIT, null);
    MiningModel miningModel = learner.encodeModel(options, learner.toXGBoostSchema(schema));
    // The last model turns the trees' sum into probabilities; its outputs are JPMML-SparkML's to
    // add.
    Model last = MiningModelUtil.getFinalModel(miningModel);
    last.setOutput(null);
    return miningModel;
  }

  private static Learner learner(XGBoostClassificationModel model) {
    byte[] bytes;
    try {
      bytes = model.nativeBooster().toByteArray("ubj");
    } catch (XGBoostError e) {
      throw new IllegalStateException(
          "XGBoost could not serialize the booster: " + e.getMessage(), e);
    }
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      return XGBoostUtil.loadLearner(in);
    } catch (IOException e) {
      throw new UncheckedIOException("JPMML-XGBoost could not read the booster", e);
    }
  }
}
