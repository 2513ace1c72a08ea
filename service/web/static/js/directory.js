/* The directory: GET /alumni with filters as you type; CSV export of the whole result. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, plural, debounce } = AG;
  const form = $("directory-form");
  const FILTERS = ["company", "industry", "skill", "program", "cohort_year", "city"];
  let page = 1;
  let inFlight = null;

  function params() {
    const p = { q: $("q").value.trim(), current: $("d-current").checked ? "true" : "" };
    for (const f of FILTERS) p[f] = $("d-" + f).value.trim();
    return p;
  }

  function row(m) {
    const work = m.current_positions.map((pos) => [pos.title, pos.employer.name].filter(Boolean).join(", "));
    const programme = [m.programs.join(", "), m.cohort_years.length ? m.cohort_years.join(", ") : ""]
      .filter(Boolean).join(" · ");
    return el("tr", {},
      el("th", { scope: "row" }, m.name,
         m.graduation_year ? el("span", { class: "muted cell-sub" }, t("class_of", { year: m.graduation_year })) : null),
      el("td", {}, programme || "–"),
      el("td", {}, work.join("; ") || "–"),
      el("td", {}, m.city || "–"),
      el("td", {}, m.email ? el("a", { href: "mailto:" + m.email }, m.email) : "–"));
  }

  async function search() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    const signal = inFlight.signal;
    const data = await run(() => api("/alumni" + query({ ...params(), page: page, page_size: 25 }), { signal }),
                           t("searching"));
    if (!data) return;
    $("directory-table").hidden = !data.items.length;
    $("directory-rows").replaceChildren(...data.items.map(row));
    $("pager").hidden = data.pages <= 1;
    $("page-info").textContent = t("page_of", { page: data.page, pages: Math.max(1, data.pages) });
    $("prev").disabled = data.page <= 1;
    $("next").disabled = data.page >= data.pages;
    status(data.total ? plural("alumni_found", data.total) : t("no_results"));
    rememberSearch();
  }

  /* Recent searches, for the home page: one typed on will replace the one it grew from. */
  let lastKept = null;
  function rememberSearch() {
    const p = Object.fromEntries(Object.entries(params()).filter(([, v]) => v));
    if (!Object.keys(p).length) return;
    const key = JSON.stringify(p);
    const grewFrom = lastKept && Object.entries(lastKept).every(([k, v]) => String(p[k] || "").startsWith(v));
    if (grewFrom) AG.memory.forget("searches", lastKept, (q) => JSON.stringify(q));
    AG.memory.remember("searches", p, (q) => JSON.stringify(q), 8);
    lastKept = JSON.parse(key);
  }

  const searchSoon = debounce(() => { page = 1; search(); }, 250);
  form.addEventListener("input", searchSoon);
  form.addEventListener("submit", (e) => { e.preventDefault(); page = 1; search(); });
  form.addEventListener("reset", () => setTimeout(() => { page = 1; search(); }, 0));
  $("prev").addEventListener("click", () => { page -= 1; search(); });
  $("next").addEventListener("click", () => { page += 1; search(); });

  $("csv").addEventListener("click", async () => {
    const response = await run(() => api("/alumni" + query({ ...params(), format: "csv" }),
                                         { raw: true, accept: "text/csv" }), t("exporting"));
    if (!response) return;
    AG.download(await response.blob(), "alumni.csv");
    status(t("csv_done", { n: response.headers.get("X-Total-Count") || "" }));
  });

  // a recent search from the home page: its filters come in the address
  const wanted = new URLSearchParams(location.search);
  if (wanted.get("q")) $("q").value = wanted.get("q");
  if (wanted.get("current") === "true") $("d-current").checked = true;
  for (const f of FILTERS) if (wanted.get(f)) $("d-" + f).value = wanted.get(f);
  search();
});
