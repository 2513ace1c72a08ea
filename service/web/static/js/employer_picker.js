/* An employer combobox: type a name, pick from GET /employers?q=…; the chosen id is kept
 * on the input as data-employer-id. Arrow keys move, Enter picks, Escape closes. */
"use strict";

(function () {
  const { api, query, el, debounce, t } = AG;

  function attach(input) {
    const listbox = document.getElementById(input.getAttribute("aria-controls"));
    let items = [];
    let active = -1;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function choose(i) {
      const e = items[i];
      if (!e) return;
      input.value = e.name;
      input.dataset.employerId = e.id;
      close();
      input.dispatchEvent(new CustomEvent("employer-chosen", { detail: e }));
    }
    function highlight(i) {
      active = i;
      listbox.querySelectorAll("[role=option]").forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
      if (i >= 0) input.setAttribute("aria-activedescendant", `${listbox.id}-${i}`);
    }
    const search = debounce(async () => {
      const text = input.value.trim();
      if (!text) return close();
      try {
        const found = await api("/employers" + query({ q: text, limit: 8 }));
        items = found.items;
      } catch (error) {
        items = [];
        AG.problem(error);
        return close();
      }
      listbox.replaceChildren(...(items.length ? items.map((e, i) => el("li", {
        id: `${listbox.id}-${i}`, role: "option", "aria-selected": "false",
        onmousedown: (ev) => { ev.preventDefault(); choose(i); },
      }, e.name, e.industry ? el("span", { class: "muted" }, " · " + e.industry) : null))
        : [el("li", { class: "muted", role: "option", "aria-disabled": "true" }, t("no_employers"))]));
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(-1);
    }, 200);

    input.addEventListener("input", () => { delete input.dataset.employerId; search(); });
    input.addEventListener("keydown", (e) => {
      if (listbox.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(items.length - 1, active + 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(0, active - 1)); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") close();
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  /* The chosen employer's id, or the best match for what was typed. */
  async function resolve(input) {
    if (input.dataset.employerId) return input.dataset.employerId;
    const text = input.value.trim();
    if (!text) return "";
    const found = await api("/employers" + query({ q: text, limit: 1 }));
    if (!found.items.length) throw new AG.ApiProblem(t("no_employer_named", { name: text }), 404, "not_found");
    input.value = found.items[0].name;
    input.dataset.employerId = found.items[0].id;
    return found.items[0].id;
  }

  AG.employerPicker = { attach, resolve };
  AG.page(() => document.querySelectorAll("[data-employer-picker]").forEach(attach));
})();
