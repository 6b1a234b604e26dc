// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.train.torch;

import ai.onnxruntime.OrtSession;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A partition's rows with the network's probability and prediction appended, scored a batch at a
 * time (one ONNX Runtime call per batch) and handed on lazily, so a partition never sits in memory.
 */
final class ScoredRows implements Iterator<Row> {
  private static final int BATCH = 4096;

  private final Iterator<Row> rows;
  private final OrtSession session;
  private final List<String> numberNames;
  private final int[] numberAt;
  private final List<String> categoryNames;
  private final int[] categoryAt;
  private final int width;
  private final float[][] numbers;
  private final String[][] categories;
  private final List<Row> batch = new ArrayList<>(BATCH);
  private float[] probabilities = new float[0];
  private int next;

  ScoredRows(
      Iterator<Row> rows,
      OrtSession session,
      List<String> numberNames,
      int[] numberAt,
      List<String> categoryNames,
      int[] categoryAt,
      int width) {
    this.rows = rows;
    this.session = session;
    this.numberNames = numberNames;
    this.numberAt = numberAt;
    this.categoryNames = categoryNames;
    this.categoryAt = categoryAt;
    this.width = width;
    this.numbers = new float[numberAt.length][BATCH];
    this.categories = new String[categoryAt.length][BATCH];
  }

  @Override
  public boolean hasNext() {
    return next < batch.size() || rows.hasNext();
  }

  @Override
  public Row next() {
    if (next == batch.size()) {
      if (!rows.hasNext()) {
        throw new NoSuchElementException();
      }
      scoreNextBatch();
    }
    Row row = batch.get(next);
    float p = probabilities[next++];
    Object[] values = new Object[width + 2];
    for (int c = 0; c < width; c++) {
      values[c] = row.get(c);
    }
    values[width] = Vectors.dense(1.0 - p, p);
    values[width + 1] = p > 0.5f ? 1.0 : 0.0;
    return RowFactory.create(values);
  }

  private void scoreNextBatch() {
    batch.clear();
    next = 0;
    while (batch.size() < BATCH && rows.hasNext()) {
      Row row = rows.next();
      int r = batch.size();
      for (int i = 0; i < numberAt.length; i++) {
        numbers[i][r] =
            row.isNullAt(numberAt[i]) ? Float.NaN : ((Number) row.get(numberAt[i])).floatValue();
      }
      for (int j = 0; j < categoryAt.length; j++) {
        categories[j][r] =
            row.isNullAt(categoryAt[j]) ? "" : String.valueOf(row.get(categoryAt[j]));
      }
      batch.add(row);
    }
    probabilities =
        OnnxScoring.score(session, numberNames, numbers, categoryNames, categories, batch.size());
  }
}
