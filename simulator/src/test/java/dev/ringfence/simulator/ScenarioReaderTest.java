package dev.ringfence.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Scenario files with several problems: every one reported at once, each with its place, in our words. */
class ScenarioReaderTest {

  private static String healthy() throws Exception {
    return new String(ScenarioReader.shippedFile("healthy.json"), StandardCharsets.UTF_8);
  }

  private static InvalidScenarioException refused(String json) {
    return catchThrowableOfType(InvalidScenarioException.class,
        () -> ScenarioReader.parse(json.getBytes(StandardCharsets.UTF_8), "s.json"));
  }

  @Test
  void severalProblems_allReportedAtOnce_withLineColumnAndField() throws Exception {
    String json = healthy().replace("\"seed\": 7", "\"seed\": \"seven\"")
        .replace("\"jitter\": \"30s\"", "\"jitter\": 30")
        .replace("\"lossRate\": 0.01", "\"lossrate\": 0.01")
        .replace("\"confirmAfter\": \"10m\"", "\"confirmAfter\": \"0s\"");
    InvalidScenarioException e = refused(json);
    assertThat(e.problems()).hasSize(4);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: seed: must be a whole number,"
        + " found a string"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: fleet\\.jitter: must be a"
        + " string, found the whole number 30"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: fleet\\.lossrate: unknown"
        + " field; known fields are \\[endpoints, .*"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: agent\\.confirmAfter: 0s is"
        + " outside 1s\\.\\.1d"));
    assertThat(e.getMessage()).startsWith("s.json: 4 problems:");
  }

  /** A match on a value no endpoint has, and a vendor revert after the run's end, would quietly test nothing. */
  @Test
  void aMatchValueTheFleetNeverHas_andAVendorRevertAfterTheEnd_areRefusedAtTheirFields() throws Exception {
    String crowdstrike = new String(ScenarioReader.shippedFile("crowdstrike-2024.json"), StandardCharsets.UTF_8);
    String json = crowdstrike.replaceFirst("\"os\": *\"windows\"", "\"os\": \"Windows\"")
        .replaceFirst("\"vendorRevertAfter\": *\"[^\"]*\"", "\"vendorRevertAfter\": \"10h\"")
        .replace("\"plan\": \"vendor-scale-plan.json\"", "\"plan\": " + new String(
            ScenarioReader.shippedFile("vendor-scale-plan.json"), StandardCharsets.UTF_8));
    InvalidScenarioException e = refused(json);
    assertThat(e.problems()).hasSize(2);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: candidate\\.crashOnLoadWhen"
        + "\\[0\\]\\.match\\.os: 'Windows' is not a value of fleet\\.attributes\\.os \\[.*windows.*\\], so it matches no"
        + " endpoint"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: vendorRevertAfter: 10h is not"
        + " before stopAfter 6h; .*"));
  }

  /** A part with several bad values reports each, at its own line and column, not only the first it checks. */
  @Test
  void aPartWithSeveralBadValues_reportsEveryOne_atItsField() throws Exception {
    String json = healthy().replace("\"endpoints\": 20000", "\"endpoints\": 0")
        .replace("\"lossRate\": 0.01", "\"lossRate\": 0.7")
        .replace("\"bootTime\": \"90s\"", "\"bootTime\": \"1s\"")
        .replace("\"maxFailedStarts\": 3", "\"maxFailedStarts\": 0")
        .replace("\"crashOnLoad\": 0.0", "\"crashOnLoad\": 2.0");
    InvalidScenarioException e = refused(json);

    assertThat(e.problems()).hasSize(5);
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: fleet\\.endpoints: 0 is"
        + " outside 1\\.\\.20000000"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: fleet\\.lossRate: 0\\.7 is"
        + " above 0\\.5"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: fleet\\.bootTime: 1s is"
        + " outside 5s\\.\\.1h"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: agent\\.maxFailedStarts: 0"
        + " is outside 1\\.\\.100"));
    assertThat(e.problems()).anySatisfy(p -> assertThat(p).matches("s\\.json:\\d+:\\d+: candidate\\.crashOnLoad:"
        + " 2\\.0 is outside 0\\.\\.1"));
    // Each at its own field's line: the three fleet problems are on three different lines.
    assertThat(e.problems().stream().filter(p -> p.contains("fleet.")).map(p -> p.split(":")[1]).distinct())
        .hasSize(3);
  }

  @Test
  void syntaxAndShapeProblems_areSaidWithoutTheParsersNames() throws Exception {
    String[] bad = {healthy() + "\n{}", healthy().replace("\"seed\": 7,", "\"seed\": 7, \"seed\": 8,"),
        healthy().substring(0, 200), "[1, 2]", healthy().replaceAll("(?s)\"push\": \\{[^}]*}", "\"push\": [290, 291]")};
    for (String json : bad) {
      InvalidScenarioException e = refused(json);
      assertThat(e).as(json.length() > 60 ? json.substring(0, 60) : json).isNotNull();
      assertThat(e.getMessage()).startsWith("s.json").doesNotContain("dev.ringfence").doesNotContain("Jackson")
          .doesNotContain("Feature").doesNotContain("`").doesNotContain("Cannot deserialize")
          .doesNotContain("START_OBJECT");
    }
    assertThat(refused(bad[0]).getMessage()).contains("content after the scenario object");
    assertThat(refused(bad[1]).getMessage()).contains("seed: appears twice");
    assertThat(refused(bad[2]).getMessage()).contains("the file ends inside a value");
    assertThat(refused(bad[3]).getMessage()).contains("must be a JSON object, found an array");
    assertThat(refused(bad[4]).getMessage()).contains("push: must be an object, found an array");
  }

  @Test
  void aPlanFileThatIsNotThere_isNamedAsTheScenariosPlanField(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path scenario = java.nio.file.Files.writeString(dir.resolve("s.json"),
        healthy().replaceFirst("\"plan\": *\"[^\"]*\"", "\"plan\": \"nope.json\""));
    assertThat(catchThrowableOfType(InvalidScenarioException.class, () -> ScenarioReader.load(scenario.toString())))
        .hasMessageStartingWith(scenario + ": plan: 'nope.json' is no file (looked for " + dir.resolve("nope.json"))
        .hasMessageNotContaining("name a scenario file");
  }
}
