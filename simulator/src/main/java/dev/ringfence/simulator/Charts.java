package dev.ringfence.simulator;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;
import javax.imageio.ImageIO;
import org.jspecify.annotations.Nullable;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
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
    XYChart zoom = zoom(report);
    // The PNG shows both panels, the whole story above and the Ringfence run's first hour below.
    BufferedImage top = BitmapEncoder.getBufferedImage(chart);
    BufferedImage bottom = BitmapEncoder.getBufferedImage(zoom);
    BufferedImage both = new BufferedImage(Math.max(top.getWidth(), bottom.getWidth()),
        top.getHeight() + bottom.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = both.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, both.getWidth(), both.getHeight());
      g.drawImage(top, 0, 0, null);
      g.drawImage(bottom, 0, top.getHeight(), null);
    } finally {
      g.dispose();
    }
    ImageIO.write(both, "png", Path.of(base + ".png").toFile());
    try (OutputStream out = Files.newOutputStream(Path.of(base + ".svg"))) {
      VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }
    try (OutputStream out = Files.newOutputStream(Path.of(base + "-first-hour.svg"))) {
      VectorGraphicsEncoder.saveVectorGraphic(zoom, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }
  }

  /**
   * The Ringfence run's first hour (or all of it, when shorter) on a linear scale: how many endpoints ran
   * the candidate, went down and came back, minute by minute, next to the rings' openings and the halt.
   */
  static XYChart zoom(SimulationReport report) {
    SimulationReport.Run run = report.withRingfence();
    double minutes = Math.min(60, lastMinute(run));
    XYChart chart = new XYChartBuilder().width(1100).height(360)
        .title(String.format(java.util.Locale.ROOT, "with Ringfence, the first %s", minutes >= 60 ? "hour"
            : Math.round(Math.ceil(minutes)) + " minutes"))
        .xAxisTitle("minutes after the push").yAxisTitle("endpoints").build();
    XYStyler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotGridLinesColor(new Color(0xE0E0E0));
    styler.setMarkerSize(0);
    styler.setLegendPosition(Styler.LegendPosition.OutsideS); // under the axis: the curves fill the plot
    styler.setLegendLayout(Styler.LegendLayout.Horizontal);
    styler.setXAxisMin(0.0);
    styler.setXAxisMax(Math.ceil(minutes));
    styler.setYAxisMin(0.0);
    styler.setYAxisDecimalPattern("#,##0");
    List<SimulationReport.Sample> first = run.timeline().stream().filter(x -> x.atSeconds() <= minutes * 60).toList();
    int peak = first.stream().mapToInt(x -> Math.max(x.exposed(), Math.max(x.down(), x.recovered()))).max().orElse(1);
    // Headroom above the curves for two rows of labels, so that no label sits on a line.
    double top = Math.max(10.0, peak * 1.3);
    styler.setYAxisMax(top);
    // Round steps. XChart puts a tick on every sample's minute when the x values are equally spaced (as samples
    // are), whatever the spacing hint, so an hour got one every 2.5 minutes; a point off the samples' grid, drawn
    // in no colour and left out of the legend, lets the hint choose the step (5 minutes in an hour).
    styler.setXAxisTickMarkSpacingHint(100);
    XYSeries offGrid = chart.addSeries(" ", new double[] {0.001}, new double[] {0});
    offGrid.setShowInLegend(false);
    offGrid.setMarker(SeriesMarkers.NONE);
    offGrid.setLineColor(new Color(0, 0, 0, 0));
    add(chart, "running the candidate", first, SimulationReport.Sample::exposed, RINGFENCE, false);
    add(chart, "down", first, SimulationReport.Sample::down, DOWN, false);
    add(chart, "recovered", first, SimulationReport.Sample::recovered, RECOVERED, false);
    List<Mark> marks = new ArrayList<>();
    for (SimulationReport.RingOpening opening : run.ringOpenings()) {
      if (opening.atSeconds() <= minutes * 60) {
        marks.add(new Mark(opening.atSeconds() / 60.0, "ring " + opening.ring()));
      }
    }
    if (run.halted() && run.haltSeconds() <= minutes * 60) {
      marks.add(new Mark(run.haltSeconds() / 60.0, "halt"));
    }
    marks.sort(java.util.Comparator.comparingDouble(Mark::minute));
    double axis = Math.ceil(minutes);
    for (Mark mark : marks) {
      chart.addAnnotation(new AnnotationLine(mark.minute(), true, false));
    }
    List<double[]> labels = insetLabels(marks, axis);
    for (int k = 0; k < marks.size(); k++) {
      double[] label = labels.get(k);
      double y = top * (label[1] == 0 ? 0.94 : 0.85);
      chart.addAnnotation(new AnnotationText(marks.get(k).label(), label[0], y, false));
    }
    return chart;
  }

  /**
   * Where the inset's labels go, above its curves: each beside its line ({@link #labelFrom}), on the upper row unless
   * a label placed before it is there, else on the lower one.
   *
   * @param marks the lines, by minute
   * @param axis the x-axis' length in minutes
   * @return per mark, {@code {centre minute, row}}, row 0 the upper
   */
  static List<double[]> insetLabels(List<Mark> marks, double axis) {
    double[] rowEnds = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    List<double[]> labels = new ArrayList<>();
    for (Mark mark : marks) {
      double[] place = labelSpan(marks, mark, axis);
      double from = place[0];
      double width = place[1];
      int row = from >= rowEnds[0] ? 0 : 1;
      rowEnds[row] = from + width + place[2];
      labels.add(new double[] {from + width / 2, row});
    }
    return labels;
  }

  /**
   * A label's place beside its line, in minutes: {@code {from, width, gap}}, the gap being its distance from the line
   * and the margin kept around it.
   */
  private static double[] labelSpan(List<Mark> marks, Mark mark, double axis) {
    double width = axis * CHARACTER * mark.label().length();
    double gap = axis * 0.007;
    return new double[] {labelFrom(marks, mark, width, gap, axis), width, gap};
  }

  /**
   * Where a label of {@code width} minutes beside its line begins: right of the line when it fits there without
   * crossing another line, else left of it when it fits there without, else right of it unless it would run past the
   * axis' end.
   */
  static double labelFrom(List<Mark> marks, Mark mark, double width, double gap, double axis) {
    double right = mark.minute() + gap;
    double left = mark.minute() - gap - width;
    boolean rightFits = right + width <= axis;
    if (rightFits && !crossesLine(marks, mark, right, right + width, gap)) {
      return right;
    }
    if (left >= 0 && !crossesLine(marks, mark, left, left + width, gap)) {
      return left;
    }
    return rightFits ? right : left;
  }

  /** Whether a line other than {@code mark}'s runs through {@code from}..{@code to} or within half a gap of it. */
  private static boolean crossesLine(List<Mark> marks, Mark mark, double from, double to, double gap) {
    for (Mark other : marks) {
      if (other != mark && other.minute() > from - gap / 2 && other.minute() < to + gap / 2) {
        return true;
      }
    }
    return false;
  }

  /**
   * XChart centres a text annotation on its point; at this chart's size a character of the annotation
   * font is about 0.68% of the plot's width (measured on the PNG, with room to spare).
   */
  private static final double CHARACTER = 0.0068;

  static XYChart chart(SimulationReport report) {
    double span = Math.max(lastMinute(report.withRingfence()), lastMinute(report.withoutRingfence()));
    // Hours once a run is longer than three of them: minutes ticked every 20 or 40 crowd a 12-hour axis.
    double unit = span > 180 ? 60 : 1;
    XYChart chart = new XYChartBuilder().width(1100).height(720)
        .title(String.format(java.util.Locale.ROOT, "%s: %,d endpoints, seed %d", report.scenario(), report.endpoints(),
            report.seed()))
        .xAxisTitle(unit == 60 ? "hours after the push" : "minutes after the push")
        .yAxisTitle("endpoints (log scale)").build();
    Styler styler = chart.getStyler();
    chart.getStyler().setYAxisLogarithmic(true);
    // One row under the plot cut the last entry off at 1100 px, and a column inside the plot's lower right corner
    // hid the curves of a run that has them there (a deferred group's crashes hours in): a column under the plot.
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax(Math.ceil(span / unit));
    styler.setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xE0E0E0));
    chart.getStyler().setMarkerSize(0);
    chart.getStyler().setYAxisMin(1.0);
    chart.getStyler().setYAxisMax((double) Math.max(10, report.endpoints()));
    chart.getStyler().setYAxisDecimalPattern("#,##0"); // 1,000,000, not 1E6
    chart.getStyler().setXAxisDecimalPattern("#,##0.#");
    // A wide pale band under the red dashes: where the two lines without Ringfence meet (hosts down while
    // running the candidate) both stay visible.
    XYSeries without = add(chart, "running the candidate, without Ringfence", report.withoutRingfence().timeline(),
        SimulationReport.Sample::exposed, new Color(0xB0B0B0), false, unit);
    if (without != null) {
      without.setLineStyle(new BasicStroke(6f));
    }
    List<XYSeries> drawn = new ArrayList<>();
    drawn.add(without);
    drawn.add(add(chart, "down, without Ringfence", report.withoutRingfence().timeline(), SimulationReport.Sample::down,
        DOWN.brighter(), true, unit));
    drawn.add(add(chart, "running the candidate, with Ringfence", report.withRingfence().timeline(),
        SimulationReport.Sample::exposed, RINGFENCE, false, unit));
    drawn.add(add(chart, "down, with Ringfence", report.withRingfence().timeline(), SimulationReport.Sample::down, DOWN,
        false, unit));
    drawn.add(add(chart, "recovered, with Ringfence", report.withRingfence().timeline(),
        SimulationReport.Sample::recovered, RECOVERED, false, unit));
    List<Mark> marks = new ArrayList<>();
    for (SimulationReport.RingOpening opening : report.withRingfence().ringOpenings()) {
      // The first ring opens at the push, where the axis begins: its time would only widen its label.
      String at = opening.atSeconds() == 0 ? "" : " at " + clock(opening.atSeconds());
      marks.add(new Mark(opening.atSeconds() / 60.0, "ring " + opening.ring() + at));
    }
    if (report.withRingfence().halted()) {
      int at = report.withRingfence().haltSeconds();
      marks.add(new Mark(at / 60.0, "halt at " + clock(at)));
    }
    marks.sort(java.util.Comparator.comparingDouble(Mark::minute));
    for (Mark mark : marks) {
      chart.addAnnotation(new AnnotationLine(mark.minute() / unit, true, false));
    }
    // Labels in the upper middle of the log scale, between the curves without Ringfence along the top and those
    // with it near the canary's size. Each label stands next to its line: right of it, or left when it would cross
    // another line or run past the axis' end (labelFrom); and on the highest row where it meets neither a label placed
    // before it nor a curve (a ring's endpoints rise just after its line, through a label placed beside it).
    double decades = Math.log10(Math.max(10, report.endpoints()));
    List<double[]> curves = new ArrayList<>();
    for (XYSeries series : drawn) {
      if (series == null) {
        continue;
      }
      double[] x = series.getXData();
      double[] y = series.getYData();
      for (int k = 0; k < x.length; k++) {
        curves.add(new double[] {x[k] * unit, y[k]});
      }
      curves.add(new double[] {Double.NaN, Double.NaN}); // between two curves
    }
    double axis = Math.ceil(span / unit) * unit; // the x-axis' length in minutes, which the characters' width scales with
    List<double[]> placed = new ArrayList<>(); // {from, to, row}
    for (Mark mark : marks) {
      double[] place = labelSpan(marks, mark, axis);
      double from = place[0];
      double width = place[1];
      double gap = place[2];
      double to = from + width;
      int row = labelRow(placed, curves, from - gap / 2, to + gap / 2, decades); // a margin off the curves
      placed.add(new double[] {from, to, row});
      chart.addAnnotation(new AnnotationText(mark.label(), (from + width / 2) / unit, labelY(row, decades), false));
    }
    return chart;
  }

  /** Rows of labels, from the top down: from 0.9 of the log scale's decades to 0.41. */
  static final int LABEL_ROWS = 8;
  /** Half a label's height and a margin, as a share of the y-axis' decades (about 14 px of the plot's 480). */
  private static final double LABEL_HALF_HEIGHT = 0.03;

  /** @return the value at which a label of {@code row} is centred, on a log axis of {@code decades} decades */
  static double labelY(int row, double decades) {
    return Math.pow(10, labelLog(row, decades));
  }

  /** @return the log10 of {@link #labelY}: rows 0.07 of the decades apart, the first at 0.9 of them */
  private static double labelLog(int row, double decades) {
    return decades * (0.9 - 0.07 * row);
  }

  /**
   * The row of a label spanning {@code from} to {@code to} (minutes): the highest where it meets neither a label
   * placed before it nor a curve, else the highest that meets no label, else the last.
   *
   * @param placed the labels placed so far, each {@code {from, to, row}}
   * @param curves the chart's points in order, each {@code {minute, value}}, a NaN minute between two curves; a
   *     value below 1 (or NaN) is not drawn on the log scale and breaks its curve
   */
  static int labelRow(List<double[]> placed, List<double[]> curves, double from, double to, double decades) {
    int freeOfLabels = -1;
    for (int row = 0; row < LABEL_ROWS; row++) {
      if (overlaps(placed, from, to, row)) {
        continue;
      }
      if (freeOfLabels < 0) {
        freeOfLabels = row;
      }
      double centre = labelLog(row, decades);
      if (!crosses(curves, from, to, centre - decades * LABEL_HALF_HEIGHT, centre + decades * LABEL_HALF_HEIGHT)) {
        return row;
      }
    }
    return freeOfLabels >= 0 ? freeOfLabels : LABEL_ROWS - 1;
  }

  /**
   * Whether a curve passes through the box from {@code from} to {@code to} (minutes) and {@code low} to {@code high}
   * (log10 of the value). A drawn segment is a straight line on the chart, whose y is the log of the value, so each
   * segment is cut to the box's minutes, with its log value interpolated at the cut, before its values are compared.
   */
  private static boolean crosses(List<double[]> curves, double from, double to, double low, double high) {
    double[] previous = null;
    for (double[] point : curves) {
      boolean drawn = !Double.isNaN(point[0]) && point[1] >= 1;
      if (drawn && previous == null && point[0] >= from && point[0] <= to) {
        double a = Math.log10(point[1]);
        if (a >= low && a <= high) {
          return true; // a curve's first point, inside the box
        }
      }
      if (drawn && previous != null && point[0] >= from && previous[0] <= to) {
        double x0 = previous[0];
        double x1 = point[0];
        double y0 = Math.log10(previous[1]);
        double y1 = Math.log10(point[1]);
        double a = x1 > x0 ? y0 + (y1 - y0) * (Math.max(from, x0) - x0) / (x1 - x0) : y0;
        double b = x1 > x0 ? y0 + (y1 - y0) * (Math.min(to, x1) - x0) / (x1 - x0) : y1;
        if (Math.max(a, b) >= low && Math.min(a, b) <= high) {
          return true;
        }
      }
      previous = drawn ? point : null;
    }
    return false;
  }

  private static boolean overlaps(List<double[]> placed, double from, double to, int row) {
    for (double[] p : placed) {
      if (p[2] == row && from < p[1] && p[0] < to) {
        return true;
      }
    }
    return false;
  }

  /**
   * A time of the run as a label says it, without a zero part: {@code 0m}, {@code 45s}, {@code 1m 50s}, {@code 30m},
   * {@code 9h}, {@code 1h 30m}.
   */
  static String clock(int seconds) {
    int hours = seconds / 3600;
    int minutes = seconds % 3600 / 60;
    int rest = seconds % 60;
    if (hours > 0) {
      return minutes == 0 ? hours + "h" : hours + "h " + minutes + "m";
    }
    if (minutes > 0) {
      return rest == 0 ? minutes + "m" : minutes + "m " + rest + "s";
    }
    return rest == 0 ? "0m" : rest + "s";
  }

  private static @Nullable XYSeries add(XYChart chart, String name, List<SimulationReport.Sample> samples,
      ToIntFunction<SimulationReport.Sample> value, Color color, boolean dashed) {
    return add(chart, name, samples, value, color, dashed, 1);
  }

  /** A series with its x in minutes divided by {@code unit} (1: minutes; 60: hours). */
  private static @Nullable XYSeries add(XYChart chart, String name, List<SimulationReport.Sample> samples,
      ToIntFunction<SimulationReport.Sample> value, Color color, boolean dashed, double unit) {
    if (samples.isEmpty()) {
      return null;
    }
    double[] x = new double[samples.size()];
    double[] y = new double[samples.size()];
    for (int k = 0; k < samples.size(); k++) {
      x[k] = samples.get(k).atSeconds() / 60.0 / unit;
      int v = value.applyAsInt(samples.get(k));
      y[k] = v <= 0 && chart.getStyler().isYAxisLogarithmic() ? Double.NaN : v; // a log scale has no zero
    }
    XYSeries series = chart.addSeries(name, x, y);
    series.setMarker(SeriesMarkers.NONE);
    series.setLineColor(color);
    series.setLineStyle(dashed
        ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
        : new BasicStroke(2.5f));
    return series;
  }

  private static double lastMinute(SimulationReport.Run run) {
    List<SimulationReport.Sample> samples = run.timeline();
    return samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).atSeconds() / 60.0);
  }

  /** A labelled vertical line. */
  record Mark(double minute, String label) {}

}
