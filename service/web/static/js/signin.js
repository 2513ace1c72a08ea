/* Sign in: ask for an e-mailed link, or open a session with an access token.
 * (Single sign-on is a plain link to /api/v1/auth/oidc/login: the browser leaves for the provider.)
 * Either way the browser ends up with the service's session cookie; no token is kept here. */
"use strict";

AG.page(function () {
  const { t, $, api, run, status, session, roleName } = AG;
  const home = JSON.parse(document.body.dataset.home);

  function showSignedIn(s) {
    $("signed-in").hidden = false;
    $("signed-in-text").textContent = s.name
      ? t("signed_in_as_member", { name: s.name, role: roleName(s.role) })
      : t("signed_in_as", { role: roleName(s.role) });
    $("go-home").setAttribute("href", AG.pageUrl(home[s.role] || ""));
  }

  const current = session();
  if (current) showSignedIn(current);

  $("link-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = $("email").value.trim();
    if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      AG.problem(new Error(t("email_missing")));
      $("email").focus();
      return;
    }
    const sent = await run(() => api("/auth/magic-link", { method: "POST", json: { email: email } }),
                           t("sending_link"));
    if (!sent) return;
    status(t("link_sent", { minutes: sent.minutes }));
  });

  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) {
      AG.problem(new Error(t("token_missing")));
      $("token").focus();
      return;
    }
    const me = await run(() => api("/auth/token-session", { method: "POST", token: token }),
                         t("signing_in"));
    $("token").value = "";
    if (!me) {
      $("token").focus();
      return;
    }
    status(t("signed_in_status"));
    window.location.assign(AG.pageUrl(home[me.role] || ""));
  });
});
