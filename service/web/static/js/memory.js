/* What the pages remember in this browser (localStorage) between visits: the career
 * office's target companies and recent directory searches, and which suggestions a member
 * has seen. Only ids, names of companies and search words — never a token — and each list
 * is short. Another browser starts empty; the home page says so. */
"use strict";

(function () {
  const PREFIX = "alumni-graph.";

  function recall(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(PREFIX + key));
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }
  function keep(key, value) {
    try {
      localStorage.setItem(PREFIX + key, JSON.stringify(value));
    } catch (e) { /* storage full or refused: the page works without it */ }
  }
  /* Put `item` first in the list under `key`, without an older item of the same `same(item)`
   * value, at most `max` long. */
  function remember(key, item, same, max) {
    const id = same(item);
    const list = recall(key, []).filter((x) => same(x) !== id);
    list.unshift(item);
    keep(key, list.slice(0, max));
  }
  function forget(key, item, same) {
    const id = same(item);
    keep(key, recall(key, []).filter((x) => same(x) !== id));
  }

  AG.memory = { recall, keep, remember, forget };
})();
