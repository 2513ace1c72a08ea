/* Mentors for a member: GET /members/{id}/mentors?skill, best fit first. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, requireMember, plural } = AG;

  function card(m, rank) {
    return AG.personCard(m.member, { rank, score: m.score, scoreTitle: t("fit_title"), role: false },
      AG.reasonList(m.reasons),
      el("p", { class: "muted" }, t("capacity_left", { left: m.capacity_left, capacity: m.capacity })));
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
    const data = await run(() => api(`/members/${encodeURIComponent(id)}/mentors` +
                                     query({ skill: $("skill").value.trim(), limit: 10 })));
    if (!data) return;
    $("mentors").replaceChildren(...data.mentors.map((m, i) => card(m, i + 1)));
    status(data.mentors.length ? plural("mentors_found", data.mentors.length) : t("no_mentors"));
  }

  $("mentors-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
