package io.lakepipe.ingest.quality;

import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckLevel;
import io.lakepipe.core.config.LakepipeConfig;
import java.util.List;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * The Deequ constraints on one ds of bronze flights, from {@code lakepipe.quality.bronze-flights}:
 * a minimum size, complete columns, a unique flight record, plausible delays and distances, and
 * airport codes of three characters.
 */
public final class BronzeFlightChecks {
  private static final String AIRPORT_CODE = "^[A-Z0-9]{3}$";

  private BronzeFlightChecks() {}

  public static Check fromConfig(LakepipeConfig config, String description) {
    String section = "quality.bronze-flights.";
    long minRows = config.longValue(section + "min-rows");
    double minDelay = config.number(section + "delay-min-minutes");
    double maxDelay = config.number(section + "delay-max-minutes");
    Option<String> none = Option.empty();

    Check check = new Check(CheckLevel.Error(), description, seq(List.of()));
    check = check.hasSize(atLeast(minRows), Option.apply("at least " + minRows + " rows"));
    for (String column : config.strings(section + "complete-columns")) {
      check = check.isComplete(column, none, Option.empty());
    }
    check = check.hasUniqueness(seq(config.strings(section + "unique-columns")), equalsOne(),
        Option.apply("each flight record once"));
    check = check.isContainedIn("delay", minDelay, maxDelay, true, true, none, Option.empty());
    check = check.hasMin("distance", positive(), Option.apply("distances are positive"),
        Option.empty());
    for (String column : List.of("origin", "destination")) {
      check = check.hasPattern(column, new scala.util.matching.Regex(AIRPORT_CODE,
          seq(List.<String>of())), equalsOne(), Option.apply(column + " code pattern"),
          Option.apply("airport codes have 3 characters"), Option.empty());
    }
    return check;
  }

  static <T> Seq<T> seq(List<T> items) {
    return JavaConverters.asScalaBufferConverter(new java.util.ArrayList<>(items)).asScala().toSeq();
  }

  private static Function1<Object, Object> atLeast(long rows) {
    return size -> ((Number) size).longValue() >= rows;
  }

  private static Function1<Object, Object> equalsOne() {
    return share -> ((Number) share).doubleValue() == 1.0;
  }

  private static Function1<Object, Object> positive() {
    return value -> ((Number) value).doubleValue() > 0;
  }
}
