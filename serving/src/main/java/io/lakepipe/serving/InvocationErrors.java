// SPDX-License-Identifier: Apache-2.0
package io.lakepipe.serving;

/**
 * The user-facing errors of {@code POST /invocations}'s MLflow formats, written as {@link
 * ServingErrors} writes those of {@code /predict} (what failed, why, what to do next); the faults
 * the two endpoints share (malformed JSON, a field's type, the limits) stay there.
 */
public final class InvocationErrors {
  private static final String FORMATS =
      "one of dataframe_split, dataframe_records, instances or inputs (MLflow's scoring formats)";

  private InvocationErrors() {}

  public static RequestRefusedException emptyBody() {
    return new RequestRefusedException(
        400, "The request body is empty: send a JSON object with " + FORMATS + ".", null, null);
  }

  public static RequestRefusedException notAnObject(String kind) {
    return new RequestRefusedException(
        400,
        "The request body is a JSON "
            + kind
            + ": /invocations takes a JSON object with "
            + FORMATS
            + "; plain records go to /predict.",
        null,
        null);
  }

  public static RequestRefusedException noFormat() {
    return new RequestRefusedException(
        400,
        "The request body holds no input: send a JSON object with " + FORMATS + ".",
        null,
        null);
  }

  public static RequestRefusedException twoFormats(String first, String second) {
    return new RequestRefusedException(
        400,
        "The request body holds both '"
            + first
            + "' and '"
            + second
            + "': send exactly "
            + FORMATS
            + ".",
        second,
        null);
  }

  public static RequestRefusedException unknownKey(String key) {
    return new RequestRefusedException(
        400,
        "Unknown key '"
            + key
            + "' in the request body: /invocations reads "
            + FORMATS
            + ", and ignores params; check the key's spelling.",
        key,
        null);
  }

  public static RequestRefusedException wrongKind(String key, String expected, String actual) {
    return new RequestRefusedException(
        400, "'" + key + "' is a JSON " + actual + ", not " + expected + ".", key, null);
  }

  public static RequestRefusedException unknownSplitKey(String key) {
    return new RequestRefusedException(
        400,
        "dataframe_split has an unknown key '"
            + key
            + "': it holds columns, data and optionally index, as pandas' to_dict(orient='split')"
            + " writes them.",
        key,
        null);
  }

  public static RequestRefusedException splitLacks(String key) {
    return new RequestRefusedException(
        400,
        "dataframe_split has no '"
            + key
            + "': it needs the column names in columns and the rows in data.",
        key,
        null);
  }

  public static RequestRefusedException columnNameNotString(int position, String kind) {
    return new RequestRefusedException(
        400,
        "Column "
            + position
            + " of dataframe_split's columns is a JSON "
            + kind
            + ", not a column name (a string).",
        "columns",
        null);
  }

  public static RequestRefusedException duplicateColumn(String column) {
    return new RequestRefusedException(
        400,
        "Column '"
            + column
            + "' appears twice in dataframe_split's columns: name each column once.",
        column,
        null);
  }

  public static RequestRefusedException rowNotArray(int row, String kind) {
    return new RequestRefusedException(
        400,
        "Row "
            + row
            + " of dataframe_split's data is a JSON "
            + kind
            + ", not an array of values in the order of columns.",
        null,
        row);
  }

  public static RequestRefusedException rowLength(int row, int values, int columns) {
    return new RequestRefusedException(
        400,
        "Row "
            + row
            + " of dataframe_split's data has "
            + values
            + " values, but columns names "
            + columns
            + ": every row holds one value per column (null when unknown).",
        null,
        row);
  }

  public static RequestRefusedException missingColumn(String column, String format) {
    return new RequestRefusedException(
        400,
        "Column '"
            + column
            + "' is missing from "
            + format
            + ": every input of the model must be a column; send null values when they are unknown.",
        column,
        null);
  }

  public static RequestRefusedException columnLength(String column, int values, int rows) {
    return new RequestRefusedException(
        400,
        "Column '"
            + column
            + "' of inputs has "
            + values
            + " values, but the columns before it have "
            + rows
            + ": every column holds one value per row.",
        column,
        null);
  }
}
