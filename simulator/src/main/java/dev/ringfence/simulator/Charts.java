package dev.ringfence.simulator;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

  /**
   * XChart centres a text annotation on its point; at this chart's size a character of the annotation
   * font is about 0.58% of the plot's width.
   */
  private static final double CHARACTER = 0.0058;

  static XYChart chart(SimulationReport report) {
    XYChart chart = new XYChartBuilder().width(1100).height(620)
        .title(String.format(java.util.Locale.ROOT, "%s: %,d endpoints, seed %d", report.scenario(), report.endpoints(),
            report.seed()))
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
    // Labels in the middle of the log scale: the curves without Ringfence run along the top, those with it
    // near the canary's size; ring labels alternate between two heights so that rings opening close together
    // do not print over each other. Each label starts right of its line, or right of the lines it would
    // cross, and says its time.
    double decades = Math.log10(Math.max(10, report.endpoints()));
    List<Mark> marks = new ArrayList<>();
    List<SimulationReport.RingOpening> openings = report.withRingfence().ringOpenings();
    for (int r = 0; r < openings.size(); r++) {
      int at = openings.get(r).atSeconds();
      marks.add(new Mark(at / 60.0, Math.pow(10, decades * (r % 2 == 0 ? 0.9 : 0.83)),
          "ring " + openings.get(r).ring() + " " + "at " + at / 60 + "m " + at % 60 + "s"));
    }
    if (report.withRingfence().halted()) {
      int at = report.withRingfence().haltSeconds();
      marks.add(new Mark(at / 60.0, Math.pow(10, decades * 0.62), "halt " + "at " + at / 60 + "m " + at % 60 + "s"));
    }
    double span = Math.max(lastMinute(report.withRingfence()), lastMinute(report.withoutRingfence()));
    for (Mark mark : marks) {
      chart.addAnnotation(new AnnotationLine(mark.minute(), true, false));
    }
    for (Mark mark : marks) {
      double width = span * CHARACTER * mark.label().length();
      double start = mark.minute();
      for (Mark other : marks) {
        if (other.minute() > start && other.minute() < start + width) {
          start = other.minute();
        }
      }
      chart.addAnnotation(new AnnotationText(mark.label(), start + span * 0.007 + width / 2, mark.y(), false));
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

  private static double lastMinute(SimulationReport.Run run) {
    List<SimulationReport.Sample> samples = run.timeline();
    return samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).atSeconds() / 60.0);
  }

  /** A labelled vertical line. */
  private record Mark(double minute, double y, String label) {}

}
