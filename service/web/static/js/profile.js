/* Profile and consent: GET and PATCH /members/{id}; the GDPR export as a JSON file. */
"use strict";

AG.page(function () {
  const { t, $, api, run, status, memberId, requireMember } = AG;
  const FLAGS = ["discoverable", "open_to_intros", "open_to_mentor", "seeking_mentor", "share_employer",
                 "share_contact", "mail_digest"];
  const FIELDS = ["headline", "email", "city", "country", "mentor_capacity", "language"];
  let loaded = null;

  function fill(member) {
    loaded = member;
    $("profile-form").hidden = false;
    $("profile-name").textContent = member.name;
    const facts = [member.role ? t("member_role_" + member.role) : null,
                   member.graduation_year ? t("class_of", { year: member.graduation_year }) : null,
                   AG.plural("connections_count", member.connections)].filter(Boolean);
    $("profile-summary").textContent = facts.join(" · ");
    for (const f of FLAGS) $("f-" + f).checked = Boolean(member[f]);
    for (const f of FIELDS) $("p-" + f).value = member[f] ?? "";
  }

  function changes() {
    const out = {};
    for (const f of FLAGS) {
      if ($("f-" + f).checked !== Boolean(loaded[f])) out[f] = $("f-" + f).checked;
    }
    for (const f of FIELDS) {
      const raw = $("p-" + f).value.trim();
      const before = loaded[f] ?? "";
      if (raw === String(before)) continue;
      if (f === "mentor_capacity") out[f] = raw === "" ? null : Number(raw);
      else out[f] = f === "language" && raw === "" ? null : raw;
    }
    return out;
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
    const member = await run(() => api(`/members/${encodeURIComponent(id)}`));
    if (!member) return;
    fill(member);
    status(t("profile_loaded"));
  }

  $("profile-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = changes();
    if (!Object.keys(body).length) {
      status(t("profile_nothing_changed"));
      return;
    }
    const member = await run(() => api(`/members/${encodeURIComponent(memberId())}`,
                                       { method: "PATCH", json: body }), t("saving"));
    if (!member) return;
    fill(member);
    status(t("profile_saved"));
  });

  $("export").addEventListener("click", async () => {
    const id = memberId();
    const data = await run(() => api(`/members/${encodeURIComponent(id)}/export`), t("exporting"));
    if (!data) return;
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    AG.download(blob, `alumni-graph-export-${id}.json`);
    status(t("export_done"));
  });

  const actfor = $("act-for");
  if (actfor) {
    actfor.addEventListener("person-chosen", load);
    // an admin may type an id instead of picking a name
    actfor.addEventListener("change", () => { if (!actfor.dataset.memberId && actfor.value.trim()) load(); });
  }
  if (AG.session().member_id) load();
});
