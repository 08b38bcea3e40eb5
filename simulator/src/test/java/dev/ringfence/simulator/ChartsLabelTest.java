package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the chart puts a ring's label: off the other labels, and off the curves. */
class ChartsLabelTest {

  private static final double DECADES = Math.log10(20_000);

  /** A ring's endpoints: 1,700 until minute 150, 17,000 from minute 155 (they rise just after the ring's line). */
  private static List<double[]> risingCurve() {
    List<double[]> curve = new ArrayList<>();
    for (int minute = 0; minute <= 150; minute += 10) {
      curve.add(new double[] {minute, 1_700});
    }
    for (int minute = 155; minute <= 300; minute += 10) {
      curve.add(new double[] {minute, 17_000});
    }
    return curve;
  }

  @Test
  void aLabelBesideItsLine_goesBelowTheCurveThatRisesThroughIt() {
    int row = Charts.labelRow(List.of(), risingCurve(), 152, 200, DECADES);
    // From minute 152 on the curve is above 10^3.63 (it reaches 17,000 at 155): rows 0 and 1 lie in its way.
    assertThat(row).isEqualTo(2);
    assertThat(Charts.labelY(row, DECADES)).isLessThan(Math.pow(10, 3.63));
    assertThat(Charts.labelRow(List.of(), List.of(), 152, 200, DECADES)).as("no curve: the top row").isZero();
  }

  @Test
  void aSteepSegmentBlocksOnlyTheRowsItReachesWithinTheLabelsMinutes() {
    // From 10 at minute 100 to 10,000 at minute 160, a straight line on the log scale: within the label's minutes
    // (152 on) it is above 10^3.6, so row 2 (around 10^3.27) is free although the segment as a whole spans it.
    List<double[]> steep = List.of(new double[] {100, 10}, new double[] {160, 10_000});
    assertThat(Charts.labelRow(List.of(), steep, 152, 200, DECADES)).isEqualTo(2);
  }

  @Test
  void aLabelAlsoAvoidsTheLabelsPlacedBeforeIt() {
    List<double[]> placed = List.<double[]>of(new double[] {140, 190, 2});
    assertThat(Charts.labelRow(placed, risingCurve(), 152, 200, DECADES)).isEqualTo(3);
  }

  @Test
  void curvesBreakWhereTheyAreNotDrawn_andARowCrossedEverywhereFallsBackToTheFirstFreeOfLabels() {
    // A NaN minute separates two curves: the last point of one and the first of the next are not joined.
    List<double[]> two = new ArrayList<>(List.of(new double[] {100, 1}, new double[] {Double.NaN, Double.NaN},
        new double[] {300, 20_000}));
    assertThat(Charts.labelRow(List.of(), two, 152, 200, DECADES)).isZero();
    // Curves at every row's height over the label's minutes: no row is free of them.
    List<double[]> everywhere = new ArrayList<>();
    for (int row = 0; row < Charts.LABEL_ROWS; row++) {
      everywhere.add(new double[] {150, Charts.labelY(row, DECADES)});
      everywhere.add(new double[] {210, Charts.labelY(row, DECADES)});
      everywhere.add(new double[] {Double.NaN, Double.NaN});
    }
    List<double[]> placed = List.<double[]>of(new double[] {140, 190, 0});
    assertThat(Charts.labelRow(placed, everywhere, 152, 200, DECADES)).isEqualTo(1);
  }

  @Test
  void aLabelsTimeShowsNoZeroParts() {
    assertThat(Charts.clock(0)).isEqualTo("0m");
    assertThat(Charts.clock(45)).isEqualTo("45s");
    assertThat(Charts.clock(110)).isEqualTo("1m 50s");
    assertThat(Charts.clock(1800)).isEqualTo("30m");
    assertThat(Charts.clock(5400)).isEqualTo("1h 30m");
    assertThat(Charts.clock(9 * 3600)).isEqualTo("9h");
  }

  @Test
  void theInsetsLabelsStandBesideTheirLines_andTheSecondOfTwoCloseOnesGoesBelow() {
    // An hour: 'ring canary' at the push cannot go left of its line, and a halt two minutes later is under it.
    List<double[]> close = Charts.insetLabels(List.of(new Charts.Mark(0, "ring canary"), new Charts.Mark(2, "halt")),
        60);
    assertThat(close.get(0)[0]).as("right of its line").isGreaterThan(0);
    assertThat(close).extracting(label -> label[1]).containsExactly(0.0, 1.0);
    // 'ring early' at 30 and a halt at 31: the ring's label goes left of its line, so both fit on top.
    List<double[]> sides = Charts.insetLabels(List.of(new Charts.Mark(30, "ring early"), new Charts.Mark(31, "halt")),
        60);
    assertThat(sides.get(0)[0]).isLessThan(30);
    assertThat(sides).extracting(label -> label[1]).containsExactly(0.0, 0.0);
    // Ten minutes: the halt at 1m 50s is clear of 'ring canary' (0.75 minutes wide), so both stay on top.
    List<double[]> apart = Charts.insetLabels(List.of(new Charts.Mark(0, "ring canary"), new Charts.Mark(110 / 60.0,
        "halt")), 10);
    assertThat(apart).extracting(label -> label[1]).containsExactly(0.0, 0.0);
    // A line near the axis' end has its label on its left.
    assertThat(Charts.insetLabels(List.of(new Charts.Mark(59.5, "halt")), 60).get(0)[0]).isLessThan(59.5);
  }

  @Test
  void aLabelGoesLeftOfItsLineRatherThanAcrossAnother_andRightWhenBothSidesCross() {
    Charts.Mark halt = new Charts.Mark(125, "halt at 2h 5m");
    List<Charts.Mark> marks = List.of(new Charts.Mark(90, "ring everyone"), new Charts.Mark(120, "ring tier"), halt);
    // 'ring tier' at 120: its right side meets the halt's line at 125, its left side (100-118) is clear.
    assertThat(Charts.labelFrom(marks, marks.get(1), 18, 2, 300)).isEqualTo(100);
    // 40 minutes wide: the right side meets the halt, the left one 'ring everyone' at 90; it stays right.
    assertThat(Charts.labelFrom(marks, marks.get(1), 40, 2, 300)).isEqualTo(122);
    // Nothing to the right: right of the line.
    assertThat(Charts.labelFrom(marks, halt, 18, 2, 300)).isEqualTo(127);
    // Past the axis' end on the right: left.
    assertThat(Charts.labelFrom(marks, halt, 18, 2, 140)).isEqualTo(105);
  }
}
