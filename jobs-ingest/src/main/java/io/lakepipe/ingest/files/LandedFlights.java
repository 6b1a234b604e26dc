package io.lakepipe.ingest.files;

import static org.apache.spark.sql.functions.base64;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import io.lakepipe.ingest.FlightValidation;
import io.lakepipe.ingest.Lineage;
import io.lakepipe.ingest.Quarantine;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Checks parsed landed flights of one logical date: the parse rules, the flight rules, the date
 * folder, and duplicates. Pure transformations, no I/O.
 */
public final class LandedFlights {
  private static final String DUPLICATE_RANK = "__duplicate_rank";

  private LandedFlights() {}

  /** Adds {@link Quarantine#REASON} and drops the parsing helpers. */
  public static Dataset<Row> check(ParsedRecords parsed, LocalDate ds, FlightValidation validation) {
    List<Column> rules = new ArrayList<>(validation.domainRules());
    Column flightDay = to_date(col("date"));
    rules.add(Quarantine.rule(flightDay.notEqual(lit(java.sql.Date.valueOf(ds))),
        concat(lit("flight date "), flightDay.cast("string"),
            lit(" is outside the landing folder's ds " + ds))));
    // The source has no flight number: a record repeated byte for byte is a duplicate delivery.
    // The first copy goes to bronze, every other copy to quarantine, so nothing is lost.
    rules.add(Quarantine.rule(col(DUPLICATE_RANK).gt(1), "duplicate of an identical record"));
    Dataset<Row> ranked = parsed.rows().withColumn(DUPLICATE_RANK, row_number().over(
        Window.partitionBy(col(Quarantine.RAW)).orderBy(col(Lineage.LOCATION))));
    Dataset<Row> checked = Quarantine.withReason(ranked, parsed.rules(), rules)
        // Bytes that are not UTF-8 cannot live in a string column: keep them base64-encoded.
        .withColumn(Quarantine.RAW, when(RecordParsing.notUtf8(),
            concat(lit("base64:"), base64(col(Quarantine.RAW).cast("binary"))))
            .otherwise(col(Quarantine.RAW)));
    return dropHelpers(checked);
  }

  private static Dataset<Row> dropHelpers(Dataset<Row> rows) {
    Dataset<Row> out = rows;
    for (String name : rows.columns()) {
      if (name.startsWith("__")) {
        out = out.drop(name);
      }
    }
    return out;
  }
}
