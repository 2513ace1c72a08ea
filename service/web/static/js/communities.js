/* Communities of the club: GET /reports/communities, drawn; aggregates only, no names. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, formatNumber } = AG;
  let byIndex = new Map();

  function label(c) {
    return `${c.index}. ${c.program || t("community_mixed")}` + (c.cohort_years ? `\n${c.cohort_years}` : "");
  }

  function detail(c) {
    const rows = [[t("col_members"), formatNumber(c.members)], [t("col_ties_inside"), formatNumber(c.ties_inside)],
                  [t("col_programme"), c.program || "–"], [t("col_city"), c.city || "–"],
                  [t("col_cohort_years"), c.cohort_years || "–"]];
    $("communities-detail").replaceChildren(el("h3", {}, t("community_n", { n: c.index })),
      el("dl", { class: "facts" }, rows.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
  }

  async function load() {
    const g = await run(() => api("/reports/communities" + query({
      program: $("c-program").value.trim(), cohort_from: $("c-from").value, cohort_to: $("c-to").value })));
    if (!g) return;
    byIndex = new Map(g.communities.map((c) => [c.index, c]));
    $("communities-result").hidden = !g.communities.length;
    $("communities-table").hidden = !g.communities.length;
    $("communities-rows").replaceChildren(...g.communities.map((c) => el("tr", {},
      el("td", { class: "num" }, String(c.index)), el("td", { class: "num" }, formatNumber(c.members)),
      el("td", {}, c.program || "–"), el("td", {}, c.city || "–"), el("td", {}, c.cohort_years || "–"),
      el("td", { class: "num" }, formatNumber(c.ties_inside)))));
    const caption = t("communities_caption", { n: g.communities.length, members: formatNumber(g.members),
                                               q: formatNumber(g.modularity, 2) });
    $("communities-caption").textContent = caption;
    if (!g.communities.length) {
      status(t("communities_none"));
      return;
    }
    try {
      const cy = AG.graphs.drawCommunities($("communities-graph"), g, label);
      cy.on("tap", "node", (event) => detail(byIndex.get(Number(event.target.id().slice(1)))));
    } catch (error) {
      AG.problem(error);
    }
    status(caption);
  }

  $("communities-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  load();
});
