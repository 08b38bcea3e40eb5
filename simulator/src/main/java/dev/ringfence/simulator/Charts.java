package dev.ringfence.simulator;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToIntFunction;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a report's timelines with XChart: endpoints running the candidate, endpoints down and endpoints
 * recovered, with and without Ringfence, on a logarithmic scale (a canary ring and a whole fleet differ by
 * three orders of magnitude), ring openings and the halt marked.
 */
public final class Charts {

  private static final Color RINGFENCE = new Color(0x1B6AC9);
  private static final Color DOWN = new Color(0xC62828);
  private static final Color RECOVERED = new Color(0x2E7D32);

  private Charts() {}

  /**
   * Writes {@code <base>.png} and {@code <base>.svg}.
   *
   * @param report the report
   * @param base the path without extension
   * @throws IOException when a file cannot be written
   */
  @SuppressWarnings("deprecation") // XChart 4.0 deprecates its SVG encoder without a replacement yet
  public static void write(SimulationReport report, Path base) throws IOException {
    XYChart chart = chart(report);
    BitmapEncoder.saveBitmapWithDPI(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG, 110);
    try (OutputStream out = Files.newOutputStream(Path.of(base + ".svg"))) {
      VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }
  }

  static XYChart chart(SimulationReport report) {
    XYChart chart = new XYChartBuilder().width(1100).height(620)
        .title(report.scenario() + ": " + report.endpoints() + " endpoints, seed " + report.seed())
        .xAxisTitle("minutes after the push").yAxisTitle("endpoints (log scale)").build();
    Styler styler = chart.getStyler();
    chart.getStyler().setYAxisLogarithmic(true);
    // One row under the plot cut the last entry off at 1100 px; a column in the lower right corner, where
    // the curves never go (counts fall to the bottom only at the left), holds every entry.
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    chart.getStyler().setXAxisMin(0.0);
    styler.setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xE0E0E0));
    chart.getStyler().setMarkerSize(0);
    chart.getStyler().setYAxisMin(1.0);
    chart.getStyler().setYAxisMax((double) Math.max(10, report.endpoints()));
    add(chart, "running the candidate, without Ringfence", report.withoutRingfence(), SimulationReport.Sample::exposed,
        Color.GRAY, true);
    add(chart, "down, without Ringfence", report.withoutRingfence(), SimulationReport.Sample::down, DOWN.brighter(),
        true);
    add(chart, "running the candidate, with Ringfence", report.withRingfence(), SimulationReport.Sample::exposed,
        RINGFENCE, false);
    add(chart, "down, with Ringfence", report.withRingfence(), SimulationReport.Sample::down, DOWN, false);
    add(chart, "recovered, with Ringfence", report.withRingfence(), SimulationReport.Sample::recovered, RECOVERED,
        false);
    double top = Math.max(10, report.endpoints()) * 0.6;
    for (SimulationReport.RingOpening opening : report.withRingfence().ringOpenings()) {
      mark(chart, opening.atSeconds() / 60.0, top, "ring " + opening.ring());
    }
    if (report.withRingfence().halted()) {
      mark(chart, report.withRingfence().haltSeconds() / 60.0, top / 8, "halt");
    }
    return chart;
  }

  private static void add(XYChart chart, String name, SimulationReport.Run run,
      ToIntFunction<SimulationReport.Sample> value, Color color, boolean dashed) {
    List<SimulationReport.Sample> samples = run.timeline();
    if (samples.isEmpty()) {
      return;
    }
    double[] x = new double[samples.size()];
    double[] y = new double[samples.size()];
    for (int k = 0; k < samples.size(); k++) {
      x[k] = samples.get(k).atSeconds() / 60.0;
      int v = value.applyAsInt(samples.get(k));
      y[k] = v <= 0 ? Double.NaN : v; // a log scale has no zero: nothing is drawn
    }
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setLineStyle(dashed
        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
        : new BasicStroke(2.5f));
  }

  private static void mark(XYChart chart, double minute, double y, String label) {
    AnnotationLine line = new AnnotationLine(minute, true, false);
    chart.addAnnotation(line);
    AnnotationText text = new AnnotationText(label, minute, y, false);
    chart.addAnnotation(text);
  }
}
