package dev.ringfence.core.deferral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ringfence.core.EndpointAttributes;
import dev.ringfence.core.RolloutSpec;
import dev.ringfence.protocol.InvalidInputException;
import org.junit.jupiter.api.Test;

/**
 * The policy's JSON, read strictly and written back alike; the most conservative matching entry decides; the
 * deferred groups' rollout ids are deterministic, reserved and valid; their plan lints clean.
 */
class DeferralPolicyTest {

  private static final String POLICY = "[{\"match\":{\"tag\":\"tenant:acme\"},\"delay\":\"PT1H\"},"
      + "{\"match\":{\"region\":\"eu-west\"},\"policy\":\"n-1\"},"
      + "{\"match\":{\"tag\":[\"tenant:acme\",\"tenant:globex\"]},\"delay\":\"PT24H\"},"
      + "{\"match\":{\"tag\":\"tenant:acme\",\"os\":\"windows\"},\"delay\":\"PT24H\"}]";

  private static EndpointAttributes endpoint(String region, String os, String... tags) {
    return EndpointAttributes.builder().region(region).os(os).tags(tags).build();
  }

  @Test
  void theMostConservativeMatchingEntryDecides_nMinus1_thenTheLongestDelay_thenTheFirst() {
    DeferralPolicy policy = DeferralPolicy.fromJson(POLICY, "deferrals");
    assertThat(policy.effective(endpoint("eu-west", "windows", "tenant:acme"))).as("n-1 over any delay").isEqualTo(1);
    assertThat(policy.effective(endpoint("us-east", "windows", "tenant:acme"))).as("24h over 1h, the first of two 24h")
        .isEqualTo(2);
    assertThat(policy.effective(endpoint("us-east", "linux", "tenant:globex"))).isEqualTo(2);
    assertThat(policy.effective(endpoint("us-east", "linux", "tenant:initech"))).isEqualTo(-1);
    assertThat(policy.entries().get(3).toString()).isEqualTo("delay PT24H for tag=tenant:acme,os=windows");
    assertThat(policy.toJson()).isEqualTo(POLICY);
    assertThat(DeferralPolicy.fromJson(policy.toJson(), "deferrals")).isEqualTo(policy);
  }

  @Test
  void durationsInEitherSyntax_andRefusalsNameTheField() {
    assertThat(DeferralPolicy.fromJson("[{\"match\":{\"tag\":\"a\"},\"delay\":\"24h\"}]", "deferrals").toJson())
        .isEqualTo("[{\"match\":{\"tag\":\"a\"},\"delay\":\"PT24H\"}]");
    assertThatThrownBy(() -> DeferralPolicy.fromJson("[{\"match\":{\"tag\":\"a\"},\"delay\":\"0s\"}]", "deferrals"))
        .isInstanceOf(InvalidInputException.class).hasMessageStartingWith("deferrals[0].delay: '0s' is not positive");
    assertThatThrownBy(() -> DeferralPolicy.fromJson("[{\"match\":{\"tag\":\"a\",\"tag\":\"b\"},\"policy\":\"n-1\"}]",
        "deferrals")).isInstanceOf(InvalidInputException.class).hasMessageStartingWith("deferrals: is not well-formed");
    assertThatThrownBy(() -> DeferralPolicy.fromJson("[" + "{\"match\":{\"tag\":\"a\"},\"policy\":\"n-1\"},".repeat(33)
        .replaceAll(",$", "") + "]", "deferrals")).hasMessageStartingWith("deferrals: has 33 entries; at most 32");
  }

  @Test
  void deferredGroupRollouts_haveDeterministicReservedValidIds_andALintCleanPlan() {
    DeferralPolicy policy = DeferralPolicy.fromJson(POLICY, "deferrals");
    String id = Deferrals.childId("r2", policy.entries().get(0));
    assertThat(id).matches("r2\\.deferral-[0-9a-f]{8}").isEqualTo(Deferrals.childId("r2", policy.entries().get(0)));
    assertThat(Deferrals.childId("r2", policy.entries().get(2))).isNotEqualTo(id);
    assertThat(Deferrals.childId("r3", policy.entries().get(0))).isNotEqualTo(id);
    assertThat(Deferrals.reservedId(id)).isTrue();
    assertThat(Deferrals.reservedId("r2.deferral")).isFalse();
    String longId = Deferrals.childId("x".repeat(128), policy.entries().get(0));
    assertThat(longId).hasSize(118);
    assertThat(RolloutSpec.builder(longId).channel("c").baseline(1).candidate(2).plan(Deferrals.childPlan()).build()
        .id()).isEqualTo(longId);
    assertThat(Deferrals.childPlan().name()).isEqualTo(Deferrals.CHILD_PLAN_NAME);
    assertThat(Deferrals.childPlan().allRings()).extracting(r -> r.name())
        .containsExactly("deferred-canary", "deferred-rest");
  }
}
