/* A mentoring programme: POST /mentoring/match, its summary, assignments and who was left out. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, plural, formatNumber, formatShare } = AG;
  let result = null;

  function body() {
    const b = {};
    const ids = AG.peoplePicker.values($("m-mentees"));
    if (ids.length) {
      b.mentees = ids;
    } else {
      if ($("m-program").value.trim()) b.program = $("m-program").value.trim();
      if ($("m-year").value) b.year = Number($("m-year").value);
    }
    if ($("m-seeking").checked && !ids.length) b.seeking = true;
    if ($("m-exclude").checked) b.exclude_same_employer = true;
    if ($("m-min-fit").value) b.min_fit = Number($("m-min-fit").value);
    if ($("m-per-cohort").value) b.max_per_cohort = Number($("m-per-cohort").value);
    return b;
  }

  function stat(label, value) {
    return el("div", { class: "stat" }, el("dt", {}, label), el("dd", {}, value));
  }

  function unmatchedReason(u) {
    const key = "unmatched_" + u.code;
    const text = t(key);
    return text.startsWith("??") ? u.reason : text;
  }

  function show(r) {
    result = r;
    $("match-result").hidden = false;
    $("csv").disabled = false;
    const rep = r.report;
    $("match-stats").replaceChildren(
      stat(t("stat_mentees"), formatNumber(rep.mentees)),
      stat(t("stat_matched"), `${formatNumber(rep.matched)} (${formatShare(rep.matched_share)})`),
      stat(t("stat_unmatched"), formatNumber(rep.unmatched)),
      stat(t("stat_mentors_used"), `${formatNumber(rep.mentors_used)} / ${formatNumber(rep.mentors)}`),
      stat(t("stat_median_fit"), rep.fit.median === null ? "–" : formatNumber(rep.fit.median, 2)),
      stat(t("stat_total_fit"), formatNumber(r.objective, 2)));
    $("assignment-rows").replaceChildren(...r.assignments.map((a) => el("tr", {},
      el("th", { scope: "row" }, a.mentee.name), el("td", {}, a.mentor.name),
      el("td", { class: "num" }, formatNumber(a.score, 2)),
      el("td", {}, AG.reasonList(a.reasons, 3)))));
    $("unmatched-wrap").hidden = !r.unmatched.length;
    $("unmatched-rows").replaceChildren(...r.unmatched.map((u) => el("tr", {},
      el("th", { scope: "row" }, u.mentee.name || u.mentee.id), el("td", {}, unmatchedReason(u)))));
    status(t("match_done", { matched: rep.matched, mentees: rep.mentees }));
    $("match-heading").focus();
  }

  /* Excel-safe CSV: a BOM for Excel's UTF-8, and cells that start like a formula quoted. */
  function csv(rows) {
    const cell = (v) => {
      let s = v === null || v === undefined ? "" : String(v);
      if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
      return /[",;\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    return "\ufeff" + rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
  }

  $("mentoring-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await run(() => api("/mentoring/match", { method: "POST", json: body() }), t("matching"));
    if (r) show(r);
  });

  $("csv").addEventListener("click", () => {
    if (!result) return;
    const rows = [["mentee_id", "mentee", "mentor_id", "mentor", "fit", "reasons"]];
    for (const a of result.assignments) {
      rows.push([a.mentee.id, a.mentee.name, a.mentor.id, a.mentor.name, a.score,
                 a.reasons.map((x) => x.detail).join("; ")]);
    }
    for (const u of result.unmatched) rows.push([u.mentee.id, u.mentee.name, "", "", "", u.reason]);
    AG.download(new Blob([csv(rows)], { type: "text/csv;charset=utf-8" }), "mentoring-match.csv");
    status(t("csv_done", { n: result.assignments.length + result.unmatched.length }));
  });
  $("match-heading").setAttribute("tabindex", "-1");
});
