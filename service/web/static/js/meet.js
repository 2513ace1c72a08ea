/* Who should I meet: GET /members/{id}/suggestions, with reasons and mutual connections. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, memberId, plural, formatNumber } = AG;
  const list = $("suggestions");

  function card(s, rank) {
    const m = s.member;
    const facts = [m.city, m.graduation_year ? t("class_of", { year: m.graduation_year }) : null,
                   m.role ? t("member_role_" + m.role) : null].filter(Boolean).join(" · ");
    const mutual = s.mutual_connections.length
      ? el("p", { class: "mutual" }, el("span", { class: "reason-kind" }, t("mutual_heading")), " ",
           s.mutual_connections.map((x) => x.name).join(", "))
      : null;
    return el("li", { class: "card person" },
      el("div", { class: "person-head" },
        el("span", { class: "rank", "aria-hidden": "true" }, String(rank)),
        el("div", {},
          el("h2", { class: "person-name" }, m.name),
          el("p", { class: "muted" }, facts)),
        el("span", { class: "score", title: t("score_title") }, formatNumber(s.score, 2))),
      AG.reasonList(s.reasons, 5),
      mutual,
      el("p", { class: "card-actions" },
        el("a", { class: "button-secondary", href: AG.pageUrl("paths", { to: m.id, member: memberId() }) },
          t("how_to_reach", { name: m.name.split(" ")[0] }))));
  }

  async function load() {
    const id = memberId();
    if (!id) {
      AG.problem(new Error(t("act_for_missing")));
      $("act-for").focus();
      return;
    }
    const data = await run(() => api(`/members/${encodeURIComponent(id)}/suggestions` + query({
      limit: $("limit").value, purpose: $("purpose").value })));
    if (!data) return;
    list.replaceChildren(...data.suggestions.map((s, i) => card(s, i + 1)));
    status(data.suggestions.length ? plural("suggestions_found", data.suggestions.length) : t("no_suggestions"));
  }

  $("meet-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
