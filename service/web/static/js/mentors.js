/* Mentors for a member: GET /members/{id}/mentors?skill, best fit first; a member asks one
 * of its own mentors with a note (POST /mentoring/requests). */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, requireMember, plural } = AG;
  let asks = 0;

  function askForm(mentor) {
    const id = "mentor-note-" + (++asks);
    const note = el("textarea", { id: id, maxlength: "500", rows: "2" });
    const form = el("form", { class: "intro-ask", hidden: true },
      el("label", { for: id }, t("mentor_ask_note", { name: mentor.name })), note,
      el("button", { type: "submit", class: "button" }, t("mentor_ask_send")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const text = note.value.trim();
      if (!text) { AG.problem(new Error(t("mentor_ask_note_missing"))); return; }
      const made = await run(() => AG.intro.call("/mentoring/requests", { mentor: mentor.id, note: text }));
      if (made) {
        form.replaceChildren(el("p", { class: "intro-asked" }, t("mentor_asked", { name: mentor.name })));
        status(t("mentor_asked", { name: mentor.name }));
      }
    });
    const open = el("button", { type: "button", class: "button secondary",
                                onclick: () => { form.hidden = false; open.hidden = true; note.focus(); } },
                    t("mentor_ask", { name: mentor.name }));
    return [open, form];
  }

  function card(m, rank, mine) {
    return AG.personCard(m.member, { rank, score: m.score, scoreTitle: t("fit_title"), role: false },
      AG.reasonList(m.reasons),
      el("p", { class: "muted" }, t("capacity_left", { left: m.capacity_left, capacity: m.capacity })),
      ...(mine ? askForm(m.member) : []));
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
    const data = await run(() => api(`/members/${encodeURIComponent(id)}/mentors` +
                                     query({ skill: $("skill").value.trim(), limit: 10 })));
    if (!data) return;
    // only a member asks, and for itself (the career office looks on a student's behalf)
    const s = AG.session();
    const mine = Boolean(s && s.role === "member" && s.member_id === id);
    $("mentors").replaceChildren(...data.mentors.map((m, i) => card(m, i + 1, mine)));
    status(data.mentors.length ? plural("mentors_found", data.mentors.length) : t("no_mentors"));
  }

  $("mentors-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
