/* The pages' shared code: the session, calls to the API, errors as sentences, small DOM helpers.
 *
 * Signing in gives the browser the service's session cookie (HttpOnly: no script here can
 * read it). Each page asks GET /api/v1/auth/session who is signed in, and gets the session's CSRF
 * token, which every call that changes something sends as `X-CSRF-Token`. No token is kept
 * in the page or in the browser's storage.
 */
"use strict";

(function () {
  const STRINGS = JSON.parse(document.getElementById("ag-strings").textContent);
  const LANG = document.documentElement.lang || "en";
  /* Where the API is mounted on this server: every call's path is put after it. */
  const API_PREFIX = "/api/v1";
  const SAFE = ["GET", "HEAD", "OPTIONS"];

  /* ---- words ------------------------------------------------------------------------ */

  function t(key, values) {
    let text = STRINGS[key];
    if (text === undefined) return "??" + key;
    if (values) {
      text = text.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
    }
    return text;
  }

  /* Plural forms: English one/other; Slovenian one, two, few (3–4), other, by n mod 100. */
  function plural(base, n) {
    let form = "other";
    if (LANG === "sl") {
      const r = Math.abs(n) % 100;
      form = r === 1 ? "one" : r === 2 ? "two" : r === 3 || r === 4 ? "few" : "other";
    } else if (n === 1) {
      form = "one";
    }
    const key = base + "_" + form;
    return t(STRINGS[key] !== undefined ? key : base + "_other", { n: formatNumber(n) });
  }

  const numberFormat = new Intl.NumberFormat(LANG === "sl" ? "sl-SI" : "en-GB");
  function formatNumber(n, digits) {
    if (typeof n !== "number") return n === "fewer than 5" ? t("fewer_than_5") : String(n ?? "–");
    if (digits !== undefined) {
      return new Intl.NumberFormat(LANG === "sl" ? "sl-SI" : "en-GB", {
        minimumFractionDigits: digits, maximumFractionDigits: digits,
      }).format(n);
    }
    return numberFormat.format(n);
  }
  function formatShare(x) {
    return x === null || x === undefined ? "–" : formatNumber(x * 100, 0) + " %";
  }

  /* ---- the session ------------------------------------------------------------------ */

  let current = null;

  /* Who is signed in (role, member_id, name, csrf_token), or null: asked once per page. */
  async function loadSession() {
    try {
      const response = await fetch(API_PREFIX + "/auth/session", {
        headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store",
      });
      current = response.ok ? await response.json() : null;
    } catch (e) {
      current = null;
    }
    return current;
  }
  function session() {
    return current;
  }
  function toSignIn() {
    window.location.assign(document.body.dataset.web + location.search.replace(/[?&]lang=\w+/, ""));
  }
  async function signOut(everywhere) {
    try {
      await api(everywhere === true ? "/auth/sign-out-everywhere" : "/auth/sign-out", { method: "POST" });
    } catch (e) {
      /* the session may have ended already: the sign-in page is right either way */
    }
    current = null;
    toSignIn();
  }

  /* ---- calling the API -------------------------------------------------------------- */

  class ApiProblem extends Error {
    constructor(sentence, status, code) {
      super(sentence);
      this.status = status;
      this.code = code;
    }
  }

  /* The API's error body {error: {code, message, details}} as a sentence in the page's
   * language. The API's own message is English and written for programmers, so it is only
   * used to tell apart cases that share a code (an expired or a revoked token). */
  function sentenceFor(status, body) {
    const error = (body && body.error) || {};
    const code = error.code || "";
    const message = String(error.message || "");
    const details = error.details || {};
    switch (code) {
      case "unauthorized":
        if (/session/.test(message)) return t("error_session_ended");
        if (/expired/.test(message)) return t("error_token_expired");
        if (/revoked/.test(message)) return t("error_token_revoked");
        return t("error_unauthorized");
      case "forbidden":
        if (/X-CSRF-Token|another site/.test(message)) return t("error_csrf");
        return t("error_forbidden");
      case "not_found":
        if (!error.details && /^not found$/i.test(message)) return t("error_not_available");
        if (/^no member/.test(message)) return t("error_member_not_found", { id: details.id || "" });
        if (/^no employer/.test(message)) return t("error_employer_not_found", { id: details.id || "" });
        return t("error_not_found");
      case "invalid_input": {
        const fields = (details.fields || []).map((f) => fieldName(f.field)).filter(Boolean);
        return fields.length ? t("error_invalid_fields", { fields: [...new Set(fields)].join(", ") })
          : t("error_invalid");
      }
      case "conflict":
        return t("error_conflict");
      case "rate_limited":
        return t("error_rate_limited");
      case "payload_too_large":
        return t("error_too_large");
      case "unavailable":
        return t("error_unavailable");
      case "method_not_allowed":
        return t("error_not_available");
      default:
        return status >= 500 ? t("error_server") : t("error_generic", { status: status });
    }
  }
  function fieldName(field) {
    if (!field) return "";
    const base = String(field).replace(/\[\d+\]$/, "").replace(/^.*\./, "");
    const key = "field_name_" + base;
    return STRINGS[key] !== undefined ? t(key) : base;
  }

  /* fetch() with the session cookie (or, to open a session, an access token); resolves to
   * the parsed JSON (or the Response when `raw` is set), rejects with an ApiProblem whose
   * message is a sentence. Every call to the API goes through here: `path` is the API's own
   * path (`/members/…`), API_PREFIX added. */
  async function api(path, options) {
    const opts = options || {};
    const s = session();
    const method = opts.method || "GET";
    const headers = { Accept: opts.accept || "application/json" };
    if (opts.token) headers.Authorization = "Bearer " + opts.token;
    else if (s && s.csrf_token && !SAFE.includes(method)) headers["X-CSRF-Token"] = s.csrf_token;
    let body;
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    if (opts.body !== undefined) {  /* a file's bytes, sent as they are */
      headers["Content-Type"] = "application/octet-stream";
      body = opts.body;
    }
    let response;
    try {
      response = await fetch(API_PREFIX + path, {
        method: method, headers: headers, body: body, signal: opts.signal,
        credentials: "same-origin", cache: "no-store" });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiProblem(t("error_network"), 0, "network");
    }
    if (!response.ok) {
      let parsed = null;
      try { parsed = await response.json(); } catch (e) { /* not JSON: the status says enough */ }
      throw new ApiProblem(sentenceFor(response.status, parsed), response.status,
                           parsed && parsed.error ? parsed.error.code : "");
    }
    if (opts.raw) return response;
    return response.json();
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== undefined && v !== null && v !== "" && v !== false) q.set(k, v);
    }
    const s = q.toString();
    return s ? "?" + s : "";
  }

  /* ---- DOM helpers ------------------------------------------------------------------ */

  /* Build an element; children are nodes or strings (always text, never parsed as HTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const $ = (id) => document.getElementById(id);

  /* The status line (aria-live) and the problem box (role=alert) every page has. */
  function status(text) {
    const node = $("status");
    if (node) node.textContent = text || "";
  }
  function problem(error) {
    const box = $("problem");
    if (!box) return;
    if (!error) {
      box.hidden = true;
      box.textContent = "";
      return;
    }
    box.textContent = error instanceof ApiProblem ? error.message
      : error && error.message ? error.message : t("error_generic", { status: "" });
    box.hidden = false;
    status("");
    if (error instanceof ApiProblem && error.status === 401 && document.body.dataset.page !== "signin") {
      box.append(" ", el("a", { href: document.body.dataset.web }, t("sign_in_again")));
    }
  }

  /* Run one request for a form: busy state, status text, errors as sentences. */
  async function run(task, busyText) {
    problem(null);
    status(busyText || t("loading"));
    document.body.setAttribute("aria-busy", "true");
    try {
      return await task();
    } catch (error) {
      if (error && error.name === "AbortError") return undefined;
      problem(error);
      return undefined;
    } finally {
      document.body.removeAttribute("aria-busy");
    }
  }

  function debounce(fn, ms) {
    let timer;
    return function (...args) {
      clearTimeout(timer);
      timer = setTimeout(() => fn.apply(this, args), ms);
    };
  }

  function download(blob, filename) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function pageUrl(slug, params) {
    return document.body.dataset.web + slug + query(params || {});
  }

  function roleName(role) {
    return t("role_" + role);
  }

  /* ---- the page frame: who is signed in, what this page shows ----------------------- */

  function memberId() {
    const s = session();
    if (s && s.member_id) return s.member_id;
    const input = $("act-for");
    // the people picker keeps the chosen member's id; an admin may type an id instead
    return input ? input.dataset.memberId || input.value.trim() : "";
  }

  /* The member the page is for, or "" after saying that none is chosen yet (an admin, or
   * the career office for a student, has to find the member by name first) with the focus
   * on the field. */
  function requireMember() {
    const id = memberId();
    if (!id) {
      problem(new Error(t("act_for_missing")));
      const input = $("act-for");
      if (input) input.focus();
    }
    return id;
  }

  /* ---- people ----------------------------------------------------------------------- */

  /* The line under a member's name: city, class and, unless `role` is false, alumnus,
   * student or staff (whichever the answer carries). */
  function memberFacts(member, role) {
    return [member.city,
            member.graduation_year ? t("class_of", { year: member.graduation_year }) : null,
            role !== false && member.role ? t("member_role_" + member.role) : null]
      .filter(Boolean).join(" · ");
  }

  /* A button to the path page: how the member the page is for can reach `member`. */
  function reachLink(member) {
    return el("a", { class: "button-secondary",
                     href: pageUrl("paths", { to: member.id, member: memberId() }) },
              t("how_to_reach", { name: member.name.split(" ")[0] }));
  }

  /* A ranked person in a list of people to meet or to ask: rank, name, facts and score,
   * then `body` (nodes; null and false are left out), then the way to reach them. */
  function personCard(member, card, ...body) {
    return el("li", { class: "card person" },
      el("div", { class: "person-head" },
        el("span", { class: "rank", "aria-hidden": "true" }, String(card.rank)),
        el("div", {},
          el("h2", { class: "person-name" }, member.name),
          el("p", { class: "muted" }, memberFacts(member, card.role))),
        el("span", { class: "score", title: card.scoreTitle }, formatNumber(card.score, 2))),
      body,
      el("p", { class: "card-actions" }, reachLink(member)));
  }

  /* ---- clubs ------------------------------------------------------------------------ */

  function clubName(s, id) {
    const club = (s.clubs || []).find((c) => c.id === id);
    return club ? club.name : id;
  }

  /* A member in several clubs picks the club the pages look from (remembered by the
   * service in a cookie of this browser); a member in one club sees no switcher. */
  function clubSwitch(s) {
    const label = $("club-switch-label");
    if (!label || s.role !== "member" || !s.clubs || s.clubs.length < 2) return;
    const select = $("club-switch");
    for (const club of s.clubs) select.append(el("option", { value: club.id }, club.name));
    select.value = s.view_club || "";
    label.hidden = false;
    select.addEventListener("change", async () => {
      try {
        await api("/auth/club-view", { method: "POST", json: { club: select.value || null } });
        location.reload();
      } catch (e) {
        select.value = s.view_club || "";
        problem(e);
      }
    });
  }

  function frame() {
    const s = session();
    const page = document.body.dataset.page;
    const roles = (document.body.dataset.roles || "").split(" ").filter(Boolean);
    // keep the language switch on the same page, with the same question
    const sw = $("lang-switch");
    if (sw) {
      const params = new URLSearchParams(location.search);
      params.set("lang", sw.getAttribute("hreflang"));
      sw.setAttribute("href", "?" + params.toString());
    }
    if (s) {
      $("session").hidden = false;
      $("who").textContent = s.name
        ? t("signed_in_as_member", { name: s.name, role: roleName(s.role) })
        : s.club
          ? t("signed_in_as_club", { role: roleName(s.role), club: clubName(s, s.club) })
          : t("signed_in_as", { role: roleName(s.role) });
      clubSwitch(s);
      $("sign-out").addEventListener("click", () => signOut(false));
      $("sign-out-everywhere").addEventListener("click", () => signOut(true));
      const nav = $("mainnav");
      nav.hidden = false;
      for (const item of nav.querySelectorAll("li[data-roles]")) {
        item.hidden = !item.dataset.roles.split(" ").includes(s.role)
          || (Boolean(s.club) && item.dataset.university === "1");
      }
      for (const group of nav.querySelectorAll(".navgroup")) {
        group.hidden = !group.querySelector("li[data-roles]:not([hidden])");
      }
    }
    if (!roles.length) return true;
    const gate = $("gate");
    if (!s) {
      $("gate-text").textContent = t("gate_sign_in");
      gate.hidden = false;
      return false;
    }
    if (!roles.includes(s.role)) {
      $("gate-text").textContent = t("gate_wrong_role", {
        role: roleName(s.role), roles: roles.filter((r) => r !== "admin").map(roleName).join(", "),
      });
      gate.hidden = false;
      return false;
    }
    if (s.club && document.body.dataset.university === "1") {
      $("gate-text").textContent = t("gate_university_only", { club: clubName(s, s.club) });
      gate.hidden = false;
      return false;
    }
    $("content").hidden = false;
    // admins, and the career office on the pages it may use for a student, say whose data
    const actfor = $("actfor");
    if (actfor && !s.member_id) {
      actfor.hidden = false;
      const params = new URLSearchParams(location.search);
      if (params.get("member")) $("act-for").value = params.get("member");
    }
    return true;
  }

  const pageInits = [];
  window.AG = {
    t, plural, formatNumber, formatShare, session, loadSession, signOut, api, query, el, $, status,
    problem, run, debounce, download, pageUrl, roleName, memberId, requireMember, memberFacts,
    reachLink, personCard, ApiProblem, LANG,
    page(init) { pageInits.push(init); },
  };

  /* A member's count of introduction requests waiting on it, beside the inbox's link. */
  async function pendingCount() {
    const s = session();
    const link = document.querySelector('#mainnav a[href$="/inbox"]');
    if (!s || s.role !== "member" || !s.member_id || !link) return;
    try {
      const inbox = await api(`/members/${encodeURIComponent(s.member_id)}/inbox`);
      if (inbox.pending > 0) {
        link.append(" ", el("span", { class: "badge", id: "inbox-pending",
                                      title: plural("intro_pending", inbox.pending) }, String(inbox.pending)));
      }
    } catch (e) { /* a convenience: the page works without it */ }
  }

  /* Until the page's own script has set up its forms, a form sent would go to the server as
   * a plain request with its fields in the address (a token among them): hold it, and send
   * it again once the page is ready. */
  let ready = false;
  const held = new Set();
  document.addEventListener("submit", (event) => {
    if (ready) return;
    event.preventDefault();
    held.add(event.target);
  }, true);

  document.addEventListener("DOMContentLoaded", async () => {
    await loadSession();
    if (!frame()) return;
    for (const init of pageInits) init();
    ready = true;
    for (const form of held) form.requestSubmit();
    held.clear();
    pendingCount();
  });
})();
