/* Introduction and mentoring requests: GET /members/{id}/inbox; accept, decline, withdraw,
 * relay. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, requireMember, plural } = AG;
  let seq = 0;

  function nameOf(r, id) {
    const at = r.path.indexOf(id);
    return at >= 0 ? r.names[at] : id;
  }

  const mentoring = (r) => r.kind === "mentoring";

  function chain(r) {
    return (mentoring(r) ? t("mentoring_request") + ": " : "") + r.names.join(" → ");
  }

  function base(r) {
    return `/${mentoring(r) ? "mentoring" : "introductions"}/requests/${encodeURIComponent(r.id)}`;
  }

  function stateText(r, box) {
    if (box === "done" && r.state === "open") return t("intro_state_passed_on");
    return t((mentoring(r) && r.state === "accepted" ? "mentoring" : "intro") + "_state_" + r.state);
  }

  async function act(r, verb, note) {
    const body = note ? { note: note } : undefined;
    const done = await run(() => AG.intro.call(`${base(r)}/${verb}`, body));
    if (done) {
      await load();
      status(t("intro_done_" + verb));
    }
  }

  function answerForm(r) {
    const id = "intro-note-" + (++seq);
    const note = el("textarea", { id: id, maxlength: "500", rows: "2" });
    return el("div", { class: "intro-actions" },
      el("label", { for: id }, mentoring(r) ? t("mentoring_note_mentor")
        : r.role === "target" ? t("intro_note_target") : t("intro_note_broker")),
      note,
      el("div", { class: "button-row" },
        el("button", { type: "button", class: "button", onclick: () => act(r, "accept", note.value.trim()) },
           mentoring(r) ? t("mentoring_accept") : r.role === "target" ? t("intro_meet") : t("intro_pass_on")),
        el("button", { type: "button", class: "button secondary",
                       onclick: () => act(r, "decline", note.value.trim()) }, t("intro_decline"))));
  }

  function relayForm(r) {
    const id = "intro-relay-" + (++seq);
    const text = el("textarea", { id: id, maxlength: "500", rows: "3" });
    return el("div", { class: "intro-actions" },
      el("label", { for: id }, t("intro_relay_label")), text,
      el("button", { type: "button", class: "button", onclick: async () => {
        const sent = await run(() => AG.intro.call(`${base(r)}/relay`, { text: text.value.trim() }));
        if (sent) status(t("intro_relayed"));
      } }, t("intro_relay_send")));
  }

  function item(r, box) {
    const parts = [
      el("p", { class: "path-chain" }, chain(r)),
      el("p", { class: "muted intro-state", "data-state": r.state }, stateText(r, box)),
      el("blockquote", {}, r.note),
      ...r.notes.map((n) => el("p", {}, t("intro_note_from", { who: nameOf(r, n.member_id) }), " ", n.note)),
    ];
    if (r.note_to_requester) parts.push(el("p", {}, t("intro_reason"), " ", r.note_to_requester));
    if (r.contact && r.contact.email) {
      parts.push(el("p", { class: "intro-contact" }, t("intro_contact", { who: nameOf(r, r.contact.member_id) }), " ",
                    el("a", { href: "mailto:" + r.contact.email }, r.contact.email)));
    } else if (r.contact && r.contact.relay) {
      parts.push(relayForm(r));
    }
    if (box === "asked_of_me") parts.push(answerForm(r));
    if (box === "asked_by_me") {
      parts.push(el("button", { type: "button", class: "button secondary",
                                onclick: () => act(r, "withdraw") }, t("intro_withdraw")));
    }
    return el("li", { "data-request": r.id, "data-kind": r.kind }, ...parts);
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
    const inbox = await run(() => api(`/members/${encodeURIComponent(id)}/inbox`));
    if (!inbox) return;
    for (const [box, list] of [["asked_of_me", "inbox-asked-of-me"], ["asked_by_me", "inbox-asked-by-me"],
                               ["done", "inbox-done"]]) {
      $(list).replaceChildren(...inbox[box].map((r) => item(r, box)));
      $(list + "-empty").hidden = inbox[box].length > 0;
    }
    status(plural("intro_pending", inbox.pending));
  }

  load();
});
