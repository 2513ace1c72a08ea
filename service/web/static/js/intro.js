/* Introduction and mentoring requests from any page: the API call, with the refusals that
 * matter here (a broker not open, a mentor at capacity, a limit reached) said in the
 * page's language. */
"use strict";

(function () {
  async function call(path, body) {
    const kind = path.startsWith("/mentoring/") ? "mentor" : "intro";
    try {
      return await AG.api(path, { method: "POST", json: body });
    } catch (error) {
      if (error && error.status === 429) throw new Error(AG.t(kind + "_error_limit"));
      if (error && error.status === 409) throw new Error(AG.t(kind + "_error_conflict"));
      throw error;
    }
  }
  window.AG.intro = { call: call };
})();
