/* Sign in: check the token with GET /me, keep it in the tab's sessionStorage, go on. */
"use strict";

AG.page(function () {
  const { t, $, api, run, status, saveSession, session, roleName } = AG;
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

  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) {
      AG.problem(new Error(t("token_missing")));
      $("token").focus();
      return;
    }
    const me = await run(() => api("/me", { token: token }), t("signing_in"));
    if (!me) {
      $("token").focus();
      return;
    }
    saveSession({ token: token, role: me.role, member_id: me.member_id, name: me.name });
    $("token").value = "";
    status(t("signed_in_status"));
    window.location.assign(AG.pageUrl(home[me.role] || ""));
  });
});
