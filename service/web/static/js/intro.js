/* Introduction requests from any page: the API call, with the refusals that matter here
 * (a broker not open, a limit reached) said in the page's language. */
"use strict";

(function () {
  async function call(path, body) {
    try {
      return await AG.api(path, { method: "POST", json: body });
    } catch (error) {
      if (error && error.status === 429) throw new Error(AG.t("intro_error_limit"));
      if (error && error.status === 409) throw new Error(AG.t("intro_error_conflict"));
      throw error;
    }
  }
  window.AG.intro = { call: call };
})();
