/* The local mail folder (the demo, no SMTP server): the mails the service wrote, newest first. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status } = AG;

  function show(mail) {
    $("outbox-subject").textContent = mail.subject;
    $("outbox-meta").textContent = mail.date + " · " + mail.to;
    $("outbox-text").textContent = mail.text;
    $("outbox-message").hidden = false;
  }

  function row(m) {
    return el("tr", {},
      el("td", {}, m.date),
      el("td", {}, m.to),
      el("td", {}, el("button", { type: "button", class: "link-button", onclick: () => show(m) }, m.subject)));
  }

  async function load() {
    const mails = await run(() => api("/admin/mail"), t("loading"));
    if (!mails) return;
    $("outbox-rows").replaceChildren(...mails.map(row));
    $("outbox-table").hidden = !mails.length;
    status(mails.length ? t("outbox_count", { n: mails.length }) : t("outbox_empty"));
  }

  $("outbox-refresh").addEventListener("click", load);
  load();
});
