package dev.ringfence.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a Markdown table of a JMH JSON result file ({@code -rf json}): every benchmark's score, its
 * allocation per operation when the run used {@code -prof gc}, and its ratio against the Ringfence
 * benchmark measured in the same run with the same class, parameters and thread count.
 *
 * <p>The ratio is always "how many times faster Ringfence is": peer time / Ringfence time for
 * average-time results, Ringfence throughput / peer throughput for throughput results. A benchmark is a
 * Ringfence one when its method name starts with {@code ringfence}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.ringfence.benchmarks.RatioTable results.json}
 */
public final class RatioTable {

  private RatioTable() {
  }

  /** One result row. */
  private record Row(String clazz, String method, String params, int threads, String mode, double score,
      double error, String unit, Double bytesPerOp) {

    String group() {
      return clazz + "|" + params + "|" + threads;
    }

    boolean ringfence() {
      return method.startsWith("ringfence");
    }
  }

  /**
   * Prints the table.
   *
   * @param args the JMH JSON file
   * @throws IOException if it cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: RatioTable <jmh-result.json>");
      System.exit(2);
    }
    System.out.print(table(new ObjectMapper().readTree(new File(args[0]))));
  }

  static String table(JsonNode results) {
    List<Row> rows = new ArrayList<>();
    for (JsonNode result : results) {
      String benchmark = result.path("benchmark").asText();
      int dot = benchmark.lastIndexOf('.');
      String clazz = benchmark.substring(benchmark.lastIndexOf('.', dot - 1) + 1, dot);
      String method = benchmark.substring(dot + 1);
      StringBuilder params = new StringBuilder();
      Iterator<Map.Entry<String, JsonNode>> fields = result.path("params").fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        params.append(params.length() == 0 ? "" : ", ").append(field.getKey()).append('=')
            .append(field.getValue().asText());
      }
      JsonNode primary = result.path("primaryMetric");
      JsonNode alloc = result.path("secondaryMetrics").path("gc.alloc.rate.norm");
      if (alloc.isMissingNode()) {
        alloc = result.path("secondaryMetrics").path("·gc.alloc.rate.norm"); // JMH before 1.37
      }
      rows.add(new Row(clazz, method, params.toString(), result.path("threads").asInt(), result.path("mode").asText(),
          primary.path("score").asDouble(), primary.path("scoreError").asDouble(Double.NaN),
          primary.path("scoreUnit").asText(), alloc.isMissingNode() ? null : alloc.path("score").asDouble()));
    }
    Map<String, Row> reference = new LinkedHashMap<>();
    for (Row row : rows) {
      if (row.ringfence()) {
        reference.putIfAbsent(row.group(), row);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("| benchmark | params | threads | score | B/op | Ringfence faster by |\n");
    out.append("|---|---|---:|---:|---:|---:|\n");
    for (Row row : rows) {
      Row ref = reference.get(row.group());
      String ratio;
      if (row.ringfence()) {
        ratio = "reference";
      } else if (ref == null || ref.score() == 0 || row.score() == 0) {
        ratio = "n/a";
      } else if ("thrpt".equals(row.mode())) {
        ratio = String.format(Locale.ROOT, "%.2f×", ref.score() / row.score());
      } else {
        ratio = String.format(Locale.ROOT, "%.2f×", row.score() / ref.score());
      }
      out.append(String.format(Locale.ROOT, "| %s.%s | %s | %d | %s ± %s %s | %s | %s |%n", row.clazz(), row.method(),
          row.params().isEmpty() ? "" : row.params(), row.threads(), number(row.score()), number(row.error()),
          row.unit(), row.bytesPerOp() == null ? "" : String.format(Locale.ROOT, "%.1f", row.bytesPerOp()), ratio));
    }
    return out.toString();
  }

  private static String number(double value) {
    if (Double.isNaN(value)) {
      return "?";
    }
    if (Math.abs(value) >= 1e6) {
      return String.format(Locale.ROOT, "%.3e", value);
    }
    return String.format(Locale.ROOT, Math.abs(value) >= 100 ? "%.0f" : "%.2f", value);
  }
}
