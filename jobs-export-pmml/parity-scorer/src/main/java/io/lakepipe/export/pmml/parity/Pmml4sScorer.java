package io.lakepipe.export.pmml.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.pmml4s.model.Model;

/**
 * Scores JSON lines with a PMML model, one output value per line:
 * {@code Pmml4sScorer <model.pmml> <inputs.jsonl> <outputs.txt> <output field>}. A field that is
 * absent or null is passed as missing. Each value is written in Java's shortest form that reads
 * back to the same double, so a comparison sees every bit.
 */
public final class Pmml4sScorer {
  private Pmml4sScorer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: Pmml4sScorer <model.pmml> <inputs.jsonl> <outputs.txt> <field>");
      System.exit(2);
    }
    Model model = Model.fromFile(args[0]);
    ObjectMapper json = new ObjectMapper();
    long rows = 0;
    try (BufferedReader in = Files.newBufferedReader(Path.of(args[1]), StandardCharsets.UTF_8);
        BufferedWriter out = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Map<String, Object> record = new HashMap<>();
        JsonNode node = json.readTree(line);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          JsonNode value = field.getValue();
          if (value.isNull()) {
            continue;
          }
          record.put(field.getKey(), value.isTextual() ? value.asText()
              : value.isIntegralNumber() ? (Object) value.asLong() : (Object) value.asDouble());
        }
        Object result = model.predict(record).get(args[3]);
        out.write(result == null ? "null" : Double.toString(((Number) result).doubleValue()));
        out.newLine();
        rows++;
      }
    }
    System.out.println("scored " + rows + " rows with " + args[0]);
  }
}
