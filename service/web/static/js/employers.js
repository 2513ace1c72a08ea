/* Alumni at an employer, ranked for a student by the best introduction path; CSV export. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, plural, formatNumber } = AG;
  let last = null;

  function params(employer) {
    return { current: $("e-current").checked ? "true" : "", for_member: AG.peoplePicker.value($("student")),
             page_size: 50, _e: employer };
  }
  function url(p, extra) {
    const { _e, ...q } = p;
    return `/employers/${encodeURIComponent(_e)}/alumni` + query({ ...q, ...(extra || {}) });
  }

  function row(a) {
    const pos = a.positions.map((x) => [x.title, x.start && (x.start + "–" + (x.end || t("now")))]
      .filter(Boolean).join(", ")).join("; ");
    const path = a.path
      ? el("div", {}, el("span", { class: "path-chain" }, a.path.members.map((m) => m.name).join(" → ")),
           el("span", { class: "muted cell-sub" }, plural("hops", a.path.hops) + " · " +
              t("path_strength", { s: formatNumber(a.path.strength, 2) })))
      : (a.score !== null && a.score !== undefined ? el("span", { class: "muted" }, t("no_path")) : "–");
    return el("tr", {},
      el("th", { scope: "row" }, a.member.name,
         a.current ? el("span", { class: "badge" }, t("works_there_now")) : null),
      el("td", {}, pos || "–"),
      el("td", {}, path),
      el("td", {}, a.reasons.length ? AG.reasonList(a.reasons.filter((r) => r.kind !== "reachable")) : "–"),
      el("td", {}, a.email ? el("a", { href: "mailto:" + a.email }, a.email) : "–"));
  }

  /* Saved target companies (kept in this browser, listed on the home page). */
  let shown = null;
  const sameEmployer = (e) => e.id;
  function targetButton() {
    const button = $("save-target");
    button.hidden = !shown;
    if (!shown) return;
    const saved = AG.memory.recall("targets", []).some((e) => e.id === shown.id);
    button.textContent = t(saved ? "unsave_target" : "save_target");
  }
  $("save-target").addEventListener("click", () => {
    const saved = AG.memory.recall("targets", []).some((e) => e.id === shown.id);
    if (saved) AG.memory.forget("targets", shown, sameEmployer);
    else AG.memory.remember("targets", { id: shown.id, name: shown.name }, sameEmployer, 20);
    targetButton();
    status(t(saved ? "target_removed" : "target_saved", { name: shown.name }));
  });

  async function load() {
    const data = await run(async () => {
      const employer = await AG.employerPicker.resolve($("employer"));
      if (!employer) throw new Error(t("employers_missing"));
      last = params(employer);
      return api(url(last));
    });
    if (!data) return;
    $("csv").disabled = false;
    const heading = $("employer-heading");
    heading.hidden = false;
    heading.textContent = data.employer.name + (data.employer.industry ? " · " + data.employer.industry : "");
    shown = { id: data.employer.id, name: data.employer.name };
    targetButton();
    $("alumni-table").hidden = !data.items.length;
    $("alumni-rows").replaceChildren(...data.items.map(row));
    status(data.total ? plural("alumni_found", data.total) : t("no_results"));
  }

  $("employers-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  // from the home page's saved companies: ?employer=ID
  const wanted = new URLSearchParams(location.search).get("employer");
  if (wanted) {
    $("employer").dataset.employerId = wanted;
    $("employer").value = (AG.memory.recall("targets", []).find((e) => e.id === wanted) || { name: wanted }).name;
    load();
  }
  $("csv").addEventListener("click", async () => {
    if (!last) return;
    const response = await run(() => api(url({ ...last, page_size: undefined }, { format: "csv" }),
                                         { raw: true, accept: "text/csv" }), t("exporting"));
    if (!response) return;
    AG.download(await response.blob(), `alumni-${last._e}.csv`);
    status(t("csv_done", { n: response.headers.get("X-Total-Count") || "" }));
  });
});
