/* Home: what is new for the role that signed in. A member: suggestions new since the last
 * visit (the ids seen are kept in this browser), introductions waiting (once the server
 * has them) and mentors with free places for its learning goals. The career office: its
 * saved target companies and recent directory searches (kept in this browser). Analysts:
 * the report's headline figures. Admins see the career office's and the analysts' parts. */
"use strict";

AG.page(function () {
  const { t, $, el, api, query, plural, formatNumber, formatShare, pageUrl, memory } = AG;
  const s = AG.session();
  const dateFormat = new Intl.DateTimeFormat(AG.LANG === "sl" ? "sl-SI" : "en-GB", { dateStyle: "long" });

  for (const section of document.querySelectorAll(".home-grid > section")) {
    section.hidden = !section.dataset.roles.split(" ").includes(s.role);
  }

  async function quietly(task) {
    try {
      return await task();
    } catch (error) {
      AG.problem(error);
      return null;
    }
  }

  async function suggestions(id) {
    const data = await quietly(() => api(`/members/${encodeURIComponent(id)}/suggestions` + query({ limit: 20 })));
    if (!data) return;
    const key = "seen." + id;
    const seen = memory.recall(key, null);
    const before = new Set(seen ? seen.ids : []);
    const fresh = data.suggestions.filter((x) => !before.has(x.member.id));
    const shown = (seen ? fresh : data.suggestions).slice(0, 5);
    const when = seen ? dateFormat.format(new Date(seen.at)) : "";
    $("home-suggestions-since").textContent = !seen ? t("home_first_visit")
      : fresh.length ? t("home_since", { date: when }) : t("home_no_new", { date: when });
    $("home-suggestions-list").replaceChildren(...shown.map((x) => el("li", {},
      el("strong", {}, x.member.name),
      seen ? el("span", { class: "badge badge-new" }, t("home_new")) : null,
      el("span", { class: "muted" }, AG.memberFacts(x.member)),
      AG.reachLink(x.member))));
    memory.keep(key, { ids: data.suggestions.map((x) => x.member.id), at: new Date().toISOString() });
  }

  /* The hook for introductions: GET /members/{id}/inbox lists the requests waiting for the
   * member. A server without it answers 404, and the section stays hidden. */
  async function introductions(id) {
    const section = $("home-intros");
    section.hidden = true;
    let inbox;
    try {
      inbox = await api(`/members/${encodeURIComponent(id)}/inbox`);
    } catch (error) {
      return;
    }
    const waiting = Array.isArray(inbox.items) ? inbox.items.length : Number(inbox.waiting || 0);
    $("home-intros-text").textContent = plural("home_intros_waiting", waiting);
    section.hidden = false;
  }

  async function mentors(id) {
    const data = await quietly(() => api(`/members/${encodeURIComponent(id)}/mentors` + query({ limit: 20 })));
    if (!data) return;
    const free = data.mentors.filter((m) => m.capacity_left > 0).slice(0, 5);
    $("home-mentors-list").replaceChildren(...(free.length ? free.map((m) => el("li", {},
      el("strong", {}, m.member.name),
      el("span", { class: "muted" }, t("home_places_left", { left: m.capacity_left, capacity: m.capacity })),
      AG.reachLink(m.member)))
      : [el("li", { class: "muted" }, t("home_no_mentors"))]));
  }

  function targets() {
    const saved = memory.recall("targets", []);
    $("home-targets-list").replaceChildren(...(saved.length ? saved.map((e) => el("li", {},
      el("a", { href: pageUrl("employers", { employer: e.id }) }, e.name)))
      : [el("li", { class: "muted" }, t("home_no_targets"))]));
  }

  function searches() {
    const recent = memory.recall("searches", []);
    $("home-searches-list").replaceChildren(...(recent.length ? recent.map((q) => el("li", {},
      el("a", { href: pageUrl("directory", q) },
         Object.values(q).filter((v) => v && v !== "true").join(" · ") || t("home_search_all"))))
      : [el("li", { class: "muted" }, t("home_no_searches"))]));
  }

  async function figures() {
    const r = await quietly(() => api("/reports/network"));
    if (!r) return;
    const stat = (label, value) => el("div", { class: "stat" }, el("dt", {}, label), el("dd", {}, value));
    const com = r.communities || {};
    $("home-stats").replaceChildren(
      stat(t("stat_members"), formatNumber(r.meta.members)),
      stat(t("stat_ties"), formatNumber(r.meta.ties)),
      stat(t("stat_largest_component"), formatShare((r.components || {}).largest_share)),
      stat(t("stat_communities"), formatNumber(com.communities_of_5_or_more ?? "–")),
      stat(t("stat_mentoring_coverage"), formatShare((r.mentoring || {}).coverage)));
  }

  const work = [];
  if (s.role === "member" && s.member_id) {
    work.push(suggestions(s.member_id), introductions(s.member_id), mentors(s.member_id));
  }
  if (s.role === "career_office" || s.role === "admin") {
    targets();
    searches();
  }
  if (s.role === "analyst" || s.role === "admin") work.push(figures());
  AG.status(t("loading"));
  Promise.all(work).then(() => AG.status(""));
});
