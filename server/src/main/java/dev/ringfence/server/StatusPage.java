package dev.ringfence.server;

import dev.ringfence.core.Rollout;
import dev.ringfence.core.RolloutState;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status page, {@code GET /status}: every rollout with its rings and state, an inline SVG chart of
 * exposure over time, verdicts with their reasons, the halt reason in plain words, a banner while stop-all is in
 * force, whether the open ring awaits approval and since when, and approve / promote / pause / resume / halt /
 * stop-all buttons that call the admin API with a token typed into the page (kept in the tab's session
 * storage, never sent anywhere else). No external resources: the page works without network. Read-only
 * without the token.
 */
final class StatusPage {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private final ServerContext ctx;
  private final SecureRandom random = new SecureRandom();

  StatusPage(ServerContext ctx) {
    this.ctx = ctx;
  }

  void register(Router router) {
    router.add("GET", "/status", request -> { }, 0, request -> render());
    router.add("GET", "/", request -> { }, 0, request -> Response.empty(302).header("Location", "/status"));
  }

  static String esc(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private Response render() {
    byte[] nonceBytes = new byte[16];
    random.nextBytes(nonceBytes);
    String nonce = Base64.getEncoder().encodeToString(nonceBytes);
    StringBuilder html = new StringBuilder(16_384);
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Ringfence update server</title><style nonce=\"").append(nonce).append("\">")
        .append(CSS).append("</style></head><body>")
        .append("<header><h1>Ringfence update server</h1><div class=\"token\"><label>API token ")
        .append("<input id=\"token\" type=\"password\" autocomplete=\"off\" placeholder=\"paste a token\"></label>")
        .append("<button type=\"button\" id=\"stop-all\" class=\"btn-stop-all\">Stop all</button>")
        .append("<span id=\"msg\" role=\"status\"></span></div></header><main>");
    stopAllBanner(html);
    deferrals(html);
    List<Rollout> rollouts = new ArrayList<>(ctx.engine().rollouts());
    if (rollouts.isEmpty()) {
      html.append("<p class=\"empty\">No rollouts yet. Create one with <code>POST /admin/v1/rollouts</code>.</p>");
    }
    for (int i = rollouts.size() - 1; i >= 0; i--) {
      rollout(html, rollouts.get(i));
    }
    html.append("<footer>Rendered ").append(esc(TIME.format(ctx.config().clock().instant())))
        .append(" UTC &middot; <a href=\"/metrics\">metrics</a> &middot; <a href=\"/healthz\">healthz</a></footer>")
        .append("</main><script nonce=\"").append(nonce).append("\">").append(SCRIPT).append("</script></body></html>");
    return Response.text(200, "text/html; charset=utf-8", html.toString())
        .header("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + nonce + "'; script-src 'nonce-"
            + nonce + "'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        .header("Referrer-Policy", "no-referrer");
  }

  /** The banner while stop-all is in force: who switched it on, when and why, and a button to lift it. */
  private void stopAllBanner(StringBuilder html) {
    java.util.Optional<StopAllRecords.Event> stop = ctx.stopAll().current();
    if (stop.isEmpty()) {
      return;
    }
    StopAllRecords.Event e = stop.get();
    html.append("<div class=\"stop-all\" role=\"alert\" id=\"stop-all-banner\"><b>Stop-all in force</b> since ")
        .append(esc(TIME.format(e.at()))).append(" UTC (").append(esc(e.at().toString())).append("), switched on by <b>")
        .append(esc(e.actor())).append("</b>: ").append(esc(e.reason()))
        .append(". Every running rollout was paused; no rollout is created, started or resumed until an admin lifts it.")
        .append(" <button type=\"button\" id=\"lift-stop-all\">Lift</button></div>");
  }

  /** Each channel's customer deferrals: how many enrolled endpoints each entry defers, and where its group stands. */
  private void deferrals(StringBuilder html) {
    Map<String, dev.ringfence.core.deferral.DeferralPolicy> all = ctx.channels().deferrals().all();
    if (all.isEmpty()) {
      return;
    }
    html.append("<section class=\"rollout\" id=\"deferrals\"><h2>Customer deferral</h2>")
        .append("<table><tr><th>channel</th><th>entry</th><th>deferral</th><th>endpoints</th><th>status</th></tr>");
    for (Map.Entry<String, dev.ringfence.core.deferral.DeferralPolicy> e : all.entrySet()) {
      for (Map<String, Object> entry : DeferralApi.entries(ctx, e.getKey(), e.getValue(),
          ctx.channels().governing(e.getKey()).orElse(null))) {
        Object status = entry.get("status");
        html.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(entry.get("entry")))
            .append("</td><td>").append(esc(entry.get("deferral"))).append("</td><td>").append(esc(entry.get("endpoints")))
            .append("</td><td>").append(status == null ? "no rollout yet" : esc(status)).append("</td></tr>");
      }
    }
    html.append("</table></section>");
  }

  @SuppressWarnings("unchecked")
  private void rollout(StringBuilder html, Rollout rollout) {
    Map<String, Object> v = RolloutViews.detail(ctx, rollout);
    RolloutState state = rollout.state();
    String css = state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    html.append("<section class=\"rollout\"><h2>").append(esc(rollout.id())).append(" <span class=\"state ")
        .append(css).append("\">").append(esc(state.name().replace('_', ' '))).append("</span></h2>")
        .append("<p class=\"sub\">channel <b>").append(esc(v.get("channel"))).append("</b>: v")
        .append(esc(v.get("baselineVersion"))).append(" &rarr; v").append(esc(v.get("candidateVersion")))
        .append(" &middot; plan <b>").append(esc(v.get("plan"))).append("</b> &middot; ")
        .append(esc(v.get("exposedTotal"))).append(" exposed, ").append(esc(v.get("revertedCount")))
        .append(" back on baseline</p>");
    Object halt = v.get("haltReason");
    if (halt != null) {
      html.append("<div class=\"halt\"><b>Halted.</b> ").append(esc(plainHalt(String.valueOf(halt)))).append("</div>");
    }
    Map<String, Object> approval = (Map<String, Object>) v.get("approval");
    if (approval != null && state == RolloutState.RUNNING) {
      html.append(approvalNotice(approval, String.valueOf(v.get("ringName"))));
    }
    html.append("<div class=\"grid\"><div><h3>Rings</h3><table><tr><th>ring</th><th>share</th><th>cap</th>")
        .append("<th>bake</th><th>exposed</th></tr>");
    for (Map<String, Object> ring : (List<Map<String, Object>>) v.get("rings")) {
      boolean open = Boolean.TRUE.equals(ring.get("open"));
      html.append("<tr").append(open ? " class=\"open\"" : "").append("><td>").append(esc(ring.get("name")))
          .append(open ? " &#9664;" : "").append("</td><td>")
          .append(esc(String.format(Locale.ROOT, "%.2f%%", ((Number) ring.get("share")).intValue() / 100.0)))
          .append("</td><td>").append(ring.get("cap") == null ? "&ndash;" : esc(ring.get("cap"))).append("</td><td>")
          .append(esc(humanDuration(String.valueOf(ring.get("bakeTime"))))).append("</td><td>")
          .append(esc(ring.get("exposed"))).append("</td></tr>");
    }
    html.append("</table></div><div><h3>Exposure over time</h3>")
        .append(chart((List<Map<String, Object>>) v.get("exposure"), rollout)).append("</div></div>");
    html.append("<h3>Verdicts</h3>");
    Map<String, Object> current = (Map<String, Object>) v.get("currentVerdict");
    if (current != null && !state.isTerminal()) {
      String outcome = String.valueOf(current.get("outcome"));
      html.append("<p class=\"now\">Now (").append(esc(time(current.get("at")))).append(", ring ")
          .append(esc(v.get("ringName"))).append("): <span class=\"v ").append(esc(outcome.toLowerCase(Locale.ROOT)))
          .append("\">").append(esc(outcome)).append("</span> ").append(esc(current.get("reason"))).append("</p>");
    }
    List<Map<String, Object>> verdicts = (List<Map<String, Object>>) v.get("verdicts");
    if (verdicts.isEmpty()) {
      html.append("<p class=\"empty\">No verdict recorded yet.</p>");
    } else {
      html.append("<ul class=\"verdicts\">");
      for (int i = verdicts.size() - 1; i >= 0 && i >= verdicts.size() - 8; i--) {
        Map<String, Object> verdict = verdicts.get(i);
        String outcome = String.valueOf(verdict.get("outcome"));
        html.append("<li><span class=\"v ").append(esc(outcome.toLowerCase(Locale.ROOT))).append("\">")
            .append(esc(outcome)).append("</span> ").append(esc(time(verdict.get("at")))).append(" ring ")
            .append(esc(verdict.get("ring"))).append(": ").append(esc(verdict.get("reason"))).append("</li>");
      }
      html.append("</ul>");
    }
    html.append("<details><summary>Transitions</summary><ol class=\"transitions\">");
    for (Map<String, Object> t : (List<Map<String, Object>>) v.get("transitions")) {
      html.append("<li>").append(esc(time(t.get("at")))).append(" ").append(esc(t.get("from"))).append(" &rarr; ")
          .append(esc(t.get("to"))).append(" (").append(esc(t.get("trigger"))).append("): ").append(esc(t.get("cause")))
          .append("</li>");
    }
    html.append("</ol></details><div class=\"actions\" data-rollout=\"").append(esc(rollout.id())).append("\">");
    List<String> actions = switch (state) {
      case RUNNING -> approval != null && approval.get("approvedAt") == null ? List.of("approve", "promote", "pause",
          "halt") : List.of("promote", "pause", "halt");
      case PAUSED -> List.of("resume", "halt");
      case PLANNED -> List.of("halt");
      default -> List.of();
    };
    if (actions.isEmpty()) {
      html.append("<span class=\"empty\">No commands: the rollout is ").append(esc(state.name().replace('_', ' ')
          .toLowerCase(Locale.ROOT))).append(".</span>");
    }
    for (String action : actions) {
      html.append("<button type=\"button\" data-action=\"").append(action).append("\" class=\"btn-").append(action)
          .append("\">").append(Character.toUpperCase(action.charAt(0))).append(action.substring(1)).append("</button>");
    }
    html.append("</div></section>");
  }

  /** Whether the open ring awaits a person, since when, or who approved it. */
  static String approvalNotice(Map<String, Object> approval, String ring) {
    StringBuilder html = new StringBuilder("<div class=\"approval\" id=\"approval\">");
    if (approval.get("approvedAt") != null) {
      html.append("<b>Approved</b> ").append(esc(time(approval.get("approvedAt")))).append(" UTC: ")
          .append(esc(approval.get("approval")));
    } else if (Boolean.TRUE.equals(approval.get("awaiting"))) {
      html.append("<b>Awaits approval</b> since ").append(esc(time(approval.get("awaitingSince")))).append(" UTC (")
          .append(esc(approval.get("awaitingSince"))).append("): ring <b>").append(esc(ring))
          .append("</b> passed its gate; the next ring opens when an operator approves or promotes.");
    } else {
      html.append("Ring <b>").append(esc(ring)).append("</b> requires approval once its gate passes.");
    }
    return html.append("</div>").toString();
  }

  /** The journaled cause, said plainly: who or what halted, and why. */
  static String plainHalt(String cause) {
    String text = cause.strip();
    if (text.isEmpty()) {
      return "No reason was recorded.";
    }
    return Character.toUpperCase(text.charAt(0)) + text.substring(1) + (text.endsWith(".") ? "" : ".")
        + " Exposed endpoints are told to go back to the baseline; no other endpoint gets the candidate.";
  }

  private static String time(Object iso) {
    try {
      return TIME.format(Instant.parse(String.valueOf(iso)));
    } catch (RuntimeException e) {
      return String.valueOf(iso);
    }
  }

  private static String humanDuration(String iso) {
    try {
      Duration d = Duration.parse(iso);
      if (d.isZero()) {
        return "0";
      }
      if (d.toMinutes() < 1) {
        return d.toSeconds() + " s";
      }
      if (d.toHours() < 1) {
        return d.toMinutes() + " min";
      }
      return d.toHours() + " h" + (d.toMinutesPart() == 0 ? "" : " " + d.toMinutesPart() + " min");
    } catch (RuntimeException e) {
      return iso;
    }
  }

  /** A step chart of exposed (blue) and reverted (green) endpoints, with a red line where the rollout halted. */
  private String chart(List<Map<String, Object>> samples, Rollout rollout) {
    int w = 520;
    int h = 170;
    int left = 36;
    int right = 10;
    int top = 10;
    int bottom = 24;
    if (samples.isEmpty()) {
      return "<p class=\"empty\">No samples yet.</p>";
    }
    long t0 = Instant.parse(String.valueOf(samples.get(0).get("at"))).toEpochMilli();
    long t1 = Math.max(ctx.config().clock().millis(), t0 + 1000);
    long max = 1;
    for (Map<String, Object> s : samples) {
      max = Math.max(max, ((Number) s.get("exposed")).longValue());
    }
    double sx = (double) (w - left - right) / (t1 - t0);
    double sy = (double) (h - top - bottom) / max;
    StringBuilder exposed = new StringBuilder();
    StringBuilder reverted = new StringBuilder();
    Double haltX = null;
    double lastY = h - bottom;
    double lastR = h - bottom;
    for (Map<String, Object> s : samples) {
      long t = Instant.parse(String.valueOf(s.get("at"))).toEpochMilli();
      double x = left + (t - t0) * sx;
      double y = h - bottom - ((Number) s.get("exposed")).longValue() * sy;
      double r = h - bottom - ((Number) s.get("reverted")).longValue() * sy;
      exposed.append(exposed.length() == 0 ? "M" : " L").append(fmt(x)).append(',').append(fmt(lastY))
          .append(" L").append(fmt(x)).append(',').append(fmt(y));
      reverted.append(reverted.length() == 0 ? "M" : " L").append(fmt(x)).append(',').append(fmt(lastR))
          .append(" L").append(fmt(x)).append(',').append(fmt(r));
      lastY = y;
      lastR = r;
      String state = String.valueOf(s.get("state"));
      if (haltX == null && (state.equals("HALTED") || state.equals("ROLLING_BACK") || state.equals("ROLLED_BACK"))) {
        haltX = x;
      }
    }
    exposed.append(" L").append(w - right).append(',').append(fmt(lastY));
    reverted.append(" L").append(w - right).append(',').append(fmt(lastR));
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(w).append(' ').append(h)
        .append("\" role=\"img\" aria-label=\"exposed endpoints over time for ").append(esc(rollout.id())).append("\">")
        .append("<line x1=\"").append(left).append("\" y1=\"").append(h - bottom).append("\" x2=\"").append(w - right)
        .append("\" y2=\"").append(h - bottom).append("\" class=\"axis\"/>")
        .append("<line x1=\"").append(left).append("\" y1=\"").append(top).append("\" x2=\"").append(left)
        .append("\" y2=\"").append(h - bottom).append("\" class=\"axis\"/>")
        .append("<text x=\"").append(left - 4).append("\" y=\"").append(top + 8).append("\" class=\"lbl\" text-anchor=\"end\">")
        .append(max).append("</text><text x=\"").append(left - 4).append("\" y=\"").append(h - bottom)
        .append("\" class=\"lbl\" text-anchor=\"end\">0</text>")
        .append("<text x=\"").append(left).append("\" y=\"").append(h - 6).append("\" class=\"lbl\">")
        .append(esc(TIME.format(Instant.ofEpochMilli(t0)))).append("</text><text x=\"").append(w - right).append("\" y=\"")
        .append(h - 6).append("\" class=\"lbl\" text-anchor=\"end\">").append(esc(TIME.format(Instant.ofEpochMilli(t1))))
        .append(" UTC</text>");
    if (haltX != null) {
      svg.append("<line x1=\"").append(fmt(haltX)).append("\" y1=\"").append(top).append("\" x2=\"").append(fmt(haltX))
          .append("\" y2=\"").append(h - bottom).append("\" class=\"haltline\"/><text x=\"").append(fmt(haltX + 4))
          .append("\" y=\"").append(h - bottom - 6).append("\" class=\"lbl halt-lbl\">halted</text>");
    }
    // Back on baseline first, wide and pale, and exposed over it: after a full rollback the two lines meet, and the
    // exposed line must stay visible along them.
    svg.append("<path d=\"").append(reverted).append("\" class=\"reverted\"/><path d=\"").append(exposed)
        .append("\" class=\"exposed\"/></svg><p class=\"legend\"><span class=\"k exposed\"></span> exposed ")
        .append("<span class=\"k reverted\"></span> back on baseline</p>");
    return svg.toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static final String CSS = String.join("\n",
      "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2330;background:#f4f6f9}",
      "header{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;background:#1d2330;color:#fff}",
      "h1{font-size:18px;margin:0}h2{font-size:17px;margin:0 0 4px}h3{font-size:13px;margin:12px 0 6px;color:#56607a;text-transform:uppercase;letter-spacing:.04em}",
      "main{max-width:1100px;margin:0 auto;padding:16px 24px}",
      ".rollout{background:#fff;border:1px solid #dde2ea;border-radius:8px;padding:16px 20px;margin-bottom:18px}",
      ".sub{margin:0;color:#56607a}.state{font-size:12px;padding:2px 8px;border-radius:10px;vertical-align:middle;background:#e6e9ef}",
      ".state.running{background:#dff3e4;color:#17692e}.state.paused{background:#fff1d6;color:#8a5a00}",
      ".state.halted,.state.rolling-back,.state.rolled-back{background:#fde2e1;color:#a1201a}.state.completed{background:#dbe9ff;color:#1f4fa0}",
      ".stop-all{margin:0 0 16px;padding:12px 14px;border:2px solid #c6362d;border-radius:6px;background:#fde2e1;color:#7d1712}",
      "button.btn-stop-all{margin-left:10px;border-color:#c6362d;background:#c6362d;color:#fff;font-weight:600}",
      ".halt{margin:10px 0;padding:10px 12px;border-left:4px solid #c6362d;background:#fff4f3}",
      ".approval{margin:10px 0;padding:10px 12px;border-left:4px solid #2f6fdf;background:#f3f8ff}",
      ".grid{display:grid;grid-template-columns:minmax(260px,1fr) 2fr;gap:20px}",
      "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef1f5;white-space:nowrap}tr.open td{font-weight:600;background:#f3f8ff}",
      ".chart{width:100%;height:auto;background:#fbfcfe;border:1px solid #eef1f5;border-radius:4px}",
      ".axis{stroke:#b8c0cc;stroke-width:1}.lbl{font-size:10px;fill:#56607a}.haltline{stroke:#c6362d;stroke-width:1.5;stroke-dasharray:4 3}.halt-lbl{fill:#c6362d}",
      "path.exposed{fill:none;stroke:#2f6fdf;stroke-width:2}path.reverted{fill:none;stroke:#2e9e55;stroke-width:5;stroke-opacity:.55}",
      ".legend{margin:4px 0 0;color:#56607a;font-size:12px}.k{display:inline-block;width:12px;height:3px;vertical-align:middle;margin-left:8px}.k.exposed{background:#2f6fdf}.k.reverted{background:#2e9e55;opacity:.55;height:5px}",
      ".verdicts{list-style:none;padding:0;margin:0}.verdicts li{padding:3px 0}.v{font-size:11px;font-weight:700;padding:1px 6px;border-radius:3px;background:#e6e9ef}",
      ".v.fail,.v.error{background:#fde2e1;color:#a1201a}.v.pass{background:#dff3e4;color:#17692e}.v.inconclusive{background:#fff1d6;color:#8a5a00}",
      ".transitions{margin:4px 0;padding-left:20px;color:#3a4358}.actions{margin-top:12px}",
      "button{margin-right:8px;padding:5px 14px;border-radius:5px;border:1px solid #b8c0cc;background:#fff;cursor:pointer}",
      "button.btn-halt{border-color:#c6362d;color:#a1201a}.token input{margin-left:6px;padding:3px 6px}#msg{margin-left:10px;font-size:12px}",
      ".empty{color:#8a93a6}footer{color:#8a93a6;font-size:12px;margin-top:12px}code{background:#eef1f5;padding:1px 4px;border-radius:3px}");

  private static final String SCRIPT = String.join("\n",
      "const t=document.getElementById('token'),m=document.getElementById('msg');",
      "t.value=sessionStorage.getItem('ringfence-admin-token')||'';",
      "t.addEventListener('change',()=>sessionStorage.setItem('ringfence-admin-token',t.value.trim()));",
      "document.querySelectorAll('.actions button').forEach(b=>b.addEventListener('click',async()=>{",
      "  const id=b.parentElement.dataset.rollout,a=b.dataset.action;",
      "  if(!t.value.trim()){m.textContent='Paste the admin token first.';return;}",
      "  const reason=prompt(a+' '+id+': why?');if(!reason)return;",
      "  const r=await fetch('/admin/v1/rollouts/'+encodeURIComponent(id)+'/'+a,{method:'POST',",
      "    headers:{'Authorization':'Bearer '+t.value.trim(),'Content-Type':'application/json'},",
      "    body:JSON.stringify({reason:reason})});",
      "  const j=await r.json().catch(()=>({}));",
      "  m.textContent=r.ok?(a+' done'):('refused: '+(j.message||r.status));if(r.ok)setTimeout(()=>location.reload(),400);",
      "}));",
      "async function stopAll(path,question){",
      "  if(!t.value.trim()){m.textContent='Paste a token first.';return;}",
      "  const reason=prompt(question);if(!reason)return;",
      "  const r=await fetch(path,{method:'POST',headers:{'Authorization':'Bearer '+t.value.trim(),",
      "    'Content-Type':'application/json'},body:JSON.stringify({reason:reason})});",
      "  const j=await r.json().catch(()=>({}));",
      "  m.textContent=r.ok?'done':('refused: '+(j.message||r.status));if(r.ok)setTimeout(()=>location.reload(),400);",
      "}",
      "document.getElementById('stop-all').addEventListener('click',()=>stopAll('/admin/v1/stop-all',",
      "  'Stop all: pause every running rollout and refuse new ones until lifted. Why?'));",
      "const lift=document.getElementById('lift-stop-all');",
      "if(lift)lift.addEventListener('click',()=>stopAll('/admin/v1/stop-all/lift','Lift stop-all: why?'));");
}
