/* Paths to a person or into a company: GET /members/{id}/introductions, drawn and listed. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, memberId, requireMember, plural, formatNumber } = AG;
  const params = new URLSearchParams(location.search);
  const personField = $("person-field");
  const companyField = $("company-field");

  function kind() {
    return document.querySelector("input[name=kind]:checked").value;
  }
  function showKind() {
    personField.hidden = kind() !== "person";
    companyField.hidden = kind() !== "company";
  }
  document.querySelectorAll("input[name=kind]").forEach((r) => r.addEventListener("change", showKind));

  function describe(path) {
    const names = path.members.map((m) => m.name);
    return el("li", {},
      el("p", { class: "path-chain" }, names.join(" → ")),
      el("p", { class: "muted" }, plural("hops", path.hops), " · ",
         t("path_strength", { s: formatNumber(path.strength, 2) }),
         path.members.length > 2
           ? " · " + t("ask_first", { name: path.members[1].name }) : ""));
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
    const result = await run(async () => {
      const q = { paths: 3 };
      if (kind() === "person") {
        q.to = AG.peoplePicker.value($("to"));
        if (!q.to) throw new Error(t("paths_person_missing"));
      } else {
        q.company = await AG.employerPicker.resolve($("company"));
        if (!q.company) throw new Error(t("paths_company_missing"));
      }
      return api(`/members/${encodeURIComponent(id)}/introductions` + query(q));
    });
    if (!result) return;
    const box = $("paths-result");
    if (!result.paths.length) {
      box.hidden = true;
      status(t("no_paths"));
      return;
    }
    box.hidden = false;
    $("paths-list").replaceChildren(...result.paths.map(describe));
    const target = result.to ? result.to.name : result.company.name;
    $("paths-caption").textContent = t("paths_caption_to", { target: target });
    try {
      AG.graphs.drawPaths($("paths-graph"), result);
    } catch (error) {
      AG.problem(error);
    }
    status(plural("paths_found", result.paths.length) + " — " + target);
  }

  if (params.get("to")) $("to").value = params.get("to");
  if (params.get("company")) {
    document.querySelector("input[name=kind][value=company]").checked = true;
    $("company").value = params.get("company");
  }
  showKind();
  $("paths-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if ((params.get("to") || params.get("company")) && memberId()) load();
});
