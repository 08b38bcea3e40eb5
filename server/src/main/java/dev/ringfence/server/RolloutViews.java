package dev.ringfence.server;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutState;
import dev.ringfence.core.RolloutStatus;
import dev.ringfence.core.gate.Verdict;
import dev.ringfence.core.plan.GateSpec;
import dev.ringfence.core.plan.LintFinding;
import dev.ringfence.core.plan.Ring;
import dev.ringfence.core.store.JournalEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A rollout as the admin API and the status page show it: state, rings, verdicts, transitions, halt reason. */
final class RolloutViews {

  private RolloutViews() {}

  static Map<String, Object> summary(Rollout rollout) {
    RolloutStatus s = rollout.status();
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("id", rollout.id());
    v.put("channel", s.channel());
    v.put("baselineVersion", rollout.spec().baselineVersion());
    v.put("candidateVersion", rollout.spec().candidateVersion());
    v.put("plan", rollout.spec().plan().name());
    v.put("state", s.state().name());
    v.put("ringIndex", s.ringIndex());
    v.put("ringName", s.ringName());
    v.put("ringOpenedAt", s.ringOpenedAt() == null ? null : s.ringOpenedAt().toString());
    v.put("exposedTotal", s.exposedTotal());
    v.put("revertedCount", s.revertedCount());
    v.put("cause", s.cause());
    v.put("lastVerdict", verdict(s.lastVerdict()));
    Map<String, Object> current = verdict(s.currentVerdict());
    if (current != null) {
      current.put("at", String.valueOf(s.currentVerdictAt()));
    }
    v.put("currentVerdict", current);
    v.put("approval", approval(s));
    return v;
  }

  /**
   * The open ring's manual approval, or null when the ring needs none: whether it awaits a person now and since when
   * (its gate passed after bake time and sample), and who approved it and when.
   */
  static @Nullable Map<String, Object> approval(RolloutStatus s) {
    if (!s.approvalRequired()) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("required", true);
    m.put("awaiting", s.awaitingApproval());
    m.put("awaitingSince", s.awaitingApprovalSince() == null ? null : s.awaitingApprovalSince().toString());
    m.put("approvedAt", s.approvedAt() == null ? null : s.approvedAt().toString());
    m.put("approval", s.approval());
    return m;
  }

  static Map<String, Object> detail(ServerContext ctx, Rollout rollout) {
    Map<String, Object> v = summary(rollout);
    RolloutStatus s = rollout.status();
    List<Map<String, Object>> rings = new ArrayList<>();
    List<Ring> planRings = rollout.spec().plan().allRings();
    for (int i = 0; i < planRings.size(); i++) {
      Ring r = planRings.get(i);
      Map<String, Object> ring = new LinkedHashMap<>();
      ring.put("name", r.name());
      ring.put("share", r.share());
      ring.put("cap", r.hasCap() ? r.cap() : null);
      ring.put("bakeTime", r.bakeTime().toString());
      ring.put("minSample", r.minSample());
      ring.put("gate", r.gateSpec().map(g -> g.type()).orElse(null));
      ring.put("approval", r.gateSpec().map(g -> g.type().equals(GateSpec.APPROVAL)
          || "required".equals(g.params().get("approval"))).orElse(false));
      ring.put("exposed", i < s.exposedPerRing().size() ? s.exposedPerRing().get(i) : 0L);
      ring.put("open", i == s.ringIndex());
      rings.add(ring);
    }
    v.put("rings", rings);
    List<Map<String, Object>> transitions = new ArrayList<>();
    List<Map<String, Object>> verdicts = new ArrayList<>();
    List<String> overrides = new ArrayList<>();
    String haltReason = null;
    for (JournalEntry e : ctx.store().read(rollout.id())) {
      if (e instanceof JournalEntry.Created c) {
        v.put("createdBy", c.actor());
        for (LintFinding f : c.acceptedLintFindings()) {
          overrides.add(f.toString());
        }
      } else if (e instanceof JournalEntry.Transitioned t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sequence", t.sequence());
        m.put("at", t.at().toString());
        m.put("from", t.from().name());
        m.put("to", t.to().name());
        m.put("trigger", t.trigger().name());
        m.put("ringIndex", t.ringIndex());
        m.put("cause", t.cause());
        m.put("verdict", verdict(t.verdict()));
        transitions.add(m);
        if (t.to() == RolloutState.HALTED) {
          haltReason = t.cause();
        }
      } else if (e instanceof JournalEntry.VerdictRecorded r) {
        Map<String, Object> m = verdict(r.verdict());
        m.put("at", r.at().toString());
        m.put("ringIndex", r.ringIndex());
        List<Ring> plan = rollout.spec().plan().allRings();
        m.put("ring", r.ringIndex() >= 0 && r.ringIndex() < plan.size() ? plan.get(r.ringIndex()).name() : "");
        verdicts.add(m);
      }
    }
    v.put("haltReason", haltReason);
    v.put("acceptedLintOverrides", overrides);
    v.put("transitions", transitions);
    v.put("verdicts", verdicts);
    v.put("stragglers", rollout.stragglers());
    List<Map<String, Object>> exposure = new ArrayList<>();
    for (ExposureHistory.Sample sample : ctx.history().samples(rollout.id())) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("at", sample.at().toString());
      m.put("state", sample.state().name());
      m.put("exposed", sample.exposed());
      m.put("reverted", sample.reverted());
      exposure.add(m);
    }
    v.put("exposure", exposure);
    Map<String, Object> deferral = DeferralApi.forRollout(ctx, rollout);
    if (deferral != null) {
      v.put("deferral", deferral);
    }
    return v;
  }

  static @Nullable Map<String, Object> verdict(@Nullable Verdict verdict) {
    if (verdict == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("outcome", verdict.outcome().name());
    m.put("test", verdict.test());
    m.put("reason", verdict.reason());
    m.put("evidence", verdict.evidence());
    return m;
  }
}
