/* The network report: GET /reports/network as figures and charts; the full HTML report on demand. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, formatNumber, formatShare } = AG;

  function filters() {
    return { program: $("r-program").value.trim(), cohort_from: $("r-from").value, cohort_to: $("r-to").value };
  }
  function stat(label, value, note) {
    // the note goes inside the <dd>: a <dl> may hold nothing but its terms and definitions
    return el("div", { class: "stat" }, el("dt", {}, label),
              el("dd", {}, value, note ? el("span", { class: "stat-note" }, note) : null));
  }

  function show(r) {
    $("report").hidden = false;
    const c = r.components || {};
    const com = r.communities || {};
    const men = r.mentoring || {};
    $("report-stats").replaceChildren(
      stat(t("stat_members"), formatNumber(r.meta.members)),
      stat(t("stat_ties"), formatNumber(r.meta.ties)),
      stat(t("stat_mean_degree"), r.degrees ? formatNumber(r.degrees.mean, 1) : "–"),
      stat(t("stat_largest_component"), formatShare(c.largest_share)),
      stat(t("stat_communities"), formatNumber(com.communities_of_5_or_more ?? "–"),
           com.modularity !== undefined ? t("stat_modularity", { q: formatNumber(com.modularity, 2) }) : null),
      stat(t("stat_mentoring_coverage"), formatShare(men.coverage)));
    if (r.meta.suppressed) {
      for (const id of ["chart-growth", "chart-degrees", "chart-communities", "chart-destinations"]) {
        $(id).replaceChildren(el("p", { class: "muted" }, t("report_suppressed")));
      }
      return;
    }
    const years = (r.growth.members_by_year || []).filter((d) => d.total > 0);
    AG.charts.columns($("chart-growth"), years.map((d) => ({ label: String(d.year), value: d.total })),
      { caption: t("report_growth"), headers: [t("col_year"), t("col_members")], maxLabels: 8 });
    AG.charts.columns($("chart-degrees"), r.degrees.bins.map((b) => ({
      label: b.low === b.high ? String(b.low) : `${b.low}–${b.high}`, value: b.members })),
      { caption: t("report_degrees"), headers: [t("col_connections"), t("col_members")], color: "#0f766e" });
    AG.charts.bars($("chart-communities"), com.communities.slice(0, 10).map((x, i) => ({
      label: `${i + 1}. ` + (x.program ? x.program.name : t("community_mixed")) + (x.cohort_years ? ` (${x.cohort_years})` : ""),
      value: x.members })), { caption: t("report_communities"), headers: [t("col_community"), t("col_members")],
      color: "#7c3aed", labelWidth: 260 });
    const flows = (r.destinations && r.destinations.industries && r.destinations.industries.flows) || [];
    const items = [];
    for (const f of flows.slice(0, 3)) {
      for (const ind of f.industries.filter((x) => x.industry !== "other").slice(0, 3)) {
        items.push({ label: `${f.program} → ${ind.industry}`, value: ind.members,
                     text: `${formatNumber(ind.members)} (${formatShare(ind.share)})` });
      }
    }
    AG.charts.bars($("chart-destinations"), items, { caption: t("report_destinations"),
      headers: [t("col_destination"), t("col_members")], color: "#b45309", labelWidth: 300 });
    const cache = r.cache || {};
    $("report-meta").textContent = t("report_meta", {
      when: new Date(r.meta.generated_at).toLocaleString(AG.LANG === "sl" ? "sl-SI" : "en-GB"),
      version: r.meta.projection_version }) + (cache.stale ? " " + t("report_stale") : "");
  }

  async function load() {
    const r = await run(() => api("/reports/network" + query(filters())), t("report_loading"));
    if (!r) return;
    show(r);
    status(t("report_ready"));
  }

  $("report-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  $("open-html").addEventListener("click", async () => {
    // the HTML report needs the bearer header too, so it is fetched and opened as a file
    const response = await run(() => api("/reports/network.html" + query(filters()),
                                         { raw: true, accept: "text/html" }), t("report_loading"));
    if (!response) return;
    const url = URL.createObjectURL(await response.blob());
    window.open(url, "_blank", "noopener");
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    status(t("report_opened"));
  });
  load();
});
