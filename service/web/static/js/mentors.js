/* Mentors for a member: GET /members/{id}/mentors?skill, best fit first. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, memberId, plural, formatNumber } = AG;

  function card(m, rank) {
    const who = m.member;
    const facts = [who.city, who.graduation_year ? t("class_of", { year: who.graduation_year }) : null]
      .filter(Boolean).join(" · ");
    return el("li", { class: "card person" },
      el("div", { class: "person-head" },
        el("span", { class: "rank", "aria-hidden": "true" }, String(rank)),
        el("div", {}, el("h2", { class: "person-name" }, who.name), el("p", { class: "muted" }, facts)),
        el("span", { class: "score", title: t("fit_title") }, formatNumber(m.score, 2))),
      AG.reasonList(m.reasons),
      el("p", { class: "muted" }, t("capacity_left", { left: m.capacity_left, capacity: m.capacity })),
      el("p", { class: "card-actions" },
        el("a", { class: "button-secondary", href: AG.pageUrl("paths", { to: who.id, member: memberId() }) },
          t("how_to_reach", { name: who.name.split(" ")[0] }))));
  }

  async function load() {
    const id = memberId();
    if (!id) {
      AG.problem(new Error(t("act_for_missing")));
      $("act-for").focus();
      return;
    }
    const data = await run(() => api(`/members/${encodeURIComponent(id)}/mentors` +
                                     query({ skill: $("skill").value.trim(), limit: 10 })));
    if (!data) return;
    $("mentors").replaceChildren(...data.mentors.map((m, i) => card(m, i + 1)));
    status(data.mentors.length ? plural("mentors_found", data.mentors.length) : t("no_mentors"));
  }

  $("mentors-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
