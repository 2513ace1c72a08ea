/* Invitations (admins): POST /admin/invitations, then one row per member with its result. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status } = AG;

  function body() {
    const whom = document.querySelector("input[name=whom]:checked").value;
    const out = { dry_run: $("i-dry-run").checked };
    if (whom === "all") out.all = true;
    if (whom === "members") out.members = $("i-members").value.split(/[\s,;]+/).filter(Boolean);
    if (whom === "group") {
      const program = $("i-program").value.trim();
      if (program) out.program = program;
      for (const [id, key] of [["i-from", "cohort_from"], ["i-to", "cohort_to"]]) {
        const v = $(id).value.trim();
        if (v) out[key] = Number(v);
      }
    }
    return out;
  }

  function row(r) {
    return el("tr", { "data-status": r.status },
      el("th", { scope: "row" }, r.name || r.member_id, el("span", { class: "muted cell-sub" }, r.member_id)),
      el("td", {}, r.email || "–"),
      el("td", {}, t("invite_status_" + r.status)),
      el("td", {}, r.detail || ""));
  }

  $("invite-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const request = body();
    const report = await run(() => api("/admin/invitations", { method: "POST", json: request }),
                             request.dry_run ? t("invite_checking") : t("invite_sending"));
    if (!report) return;
    const parts = Object.entries(report.counts).map(([s, n]) => n + " × " + t("invite_status_" + s));
    $("invite-summary").textContent = parts.join(", ") || t("invite_nobody");
    $("invite-rows").replaceChildren(...report.results.map(row));
    $("invite-table").hidden = !report.results.length;
    status(report.dry_run ? t("invite_dry_done") : t("invite_done"));
  });
});
