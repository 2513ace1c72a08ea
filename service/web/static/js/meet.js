/* Who should I meet: GET /members/{id}/suggestions, with reasons and mutual connections. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, requireMember, plural } = AG;
  const list = $("suggestions");

  function card(s, rank) {
    const mutual = s.mutual_connections.length
      ? el("p", { class: "mutual" }, el("span", { class: "reason-kind" }, t("mutual_heading")), " ",
           s.mutual_connections.map((x) => x.name).join(", "))
      : null;
    return AG.personCard(s.member, { rank, score: s.score, scoreTitle: t("score_title") },
      AG.reasonList(s.reasons, 5), mutual);
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
    const data = await run(() => api(`/members/${encodeURIComponent(id)}/suggestions` + query({
      limit: $("limit").value, purpose: $("purpose").value })));
    if (!data) return;
    list.replaceChildren(...data.suggestions.map((s, i) => card(s, i + 1)));
    status(data.suggestions.length ? plural("suggestions_found", data.suggestions.length) : t("no_suggestions"));
  }

  $("meet-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
