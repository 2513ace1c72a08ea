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

  let asks = 0;
  /* A member asks the path's first broker (POST /introductions/requests) with a note. */
  function askForm(path) {
    const id = "ask-note-" + (++asks);
    const note = el("textarea", { id: id, maxlength: "500", rows: "2" });
    const form = el("form", { class: "intro-ask", hidden: true },
      el("label", { for: id }, t("intro_ask_note", { name: path.members[1].name })), note,
      el("button", { type: "submit", class: "button" }, t("intro_ask_send")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = note.value.trim();
      if (!text) { AG.problem(new Error(t("intro_ask_note_missing"))); return; }
      const made = await run(() => AG.intro.call("/introductions/requests",
        { path: path.members.map((m) => m.id), note: text }));
      if (made) {
        form.replaceChildren(el("p", { class: "intro-asked" }, t("intro_asked", { name: path.members[1].name })));
        status(t("intro_asked", { name: path.members[1].name }));
      }
    });
    const open = el("button", { type: "button", class: "button secondary",
                                onclick: () => { form.hidden = false; open.hidden = true; note.focus(); } },
                    t("intro_ask", { name: path.members[1].name }));
    return [open, form];
  }

  function describe(path) {
    const names = path.members.map((m) => m.name);
    const s = AG.session();
    const mine = s && s.role === "member" && path.members.length > 2 && path.members[0].id === s.member_id;
    return el("li", {},
      el("p", { class: "path-chain" }, names.join(" → ")),
      el("p", { class: "muted" }, plural("hops", path.hops), " · ",
         t("path_strength", { s: formatNumber(path.strength, 2) }),
         path.members.length > 2
           ? " · " + t("ask_first", { name: path.members[1].name }) : ""),
      ...(mine ? askForm(path) : []));
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
