/* A people combobox (the WAI-ARIA combobox pattern with a listbox popup): type any part of
 * a name, pick from GET /people?q=…; the chosen member's id is kept on the input as
 * data-member-id, and shown beside the name to admins only. Arrow keys move through the
 * options (Down opens the list), Enter picks the highlighted option (or the first one),
 * Escape closes the list and, pressed again, clears the field; Tab leaves as usual.
 *
 * An input marked data-people-picker="multi" collects several people: each pick becomes
 * an item of the list named by its data-chosen attribute, with a button to take it out. */
"use strict";

(function () {
  const { api, query, el, debounce, t } = AG;

  function isAdmin() {
    const s = AG.session();
    return Boolean(s && s.role === "admin");
  }

  /* Name, then cohort, city (and the id for admins): the line that tells two Ana Novaks apart. */
  function describe(person) {
    const cohort = (person.cohorts || []).map((c) => c.year ? `${c.program} ${c.year}` : c.program);
    const facts = [cohort.length ? cohort.join(", ")
                   : person.graduation_year ? t("class_of", { year: person.graduation_year }) : null,
                   person.city, isAdmin() ? person.id : null].filter(Boolean);
    return facts.join(" · ");
  }

  function attach(input) {
    const listbox = document.getElementById(input.getAttribute("aria-controls"));
    const multi = input.dataset.peoplePicker === "multi";
    const chosenList = input.dataset.chosen ? document.getElementById(input.dataset.chosen) : null;
    const shownId = document.getElementById(input.id + "-id");
    let items = [];
    let active = -1;
    let asked = 0;

    function showId(id) {
      if (!shownId) return;
      shownId.textContent = id && isAdmin() ? t("member_id_shown", { id: id }) : "";
    }
    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function addChosen(person) {
      if (chosenList.querySelector(`[data-member-id="${CSS.escape(person.id)}"]`)) return;
      const label = person.name + (isAdmin() ? ` (${person.id})` : "");
      const item = el("li", { "data-member-id": person.id },
        el("span", {}, label),
        el("button", { type: "button", class: "button-quiet chip-remove",
                       "aria-label": t("remove_person", { name: person.name }),
                       onclick: () => { item.remove(); input.focus(); } }, "×"));
      chosenList.append(item);
    }
    function choose(i) {
      const person = items[i];
      if (!person) return;
      close();
      if (multi && chosenList) {
        addChosen(person);
        input.value = "";
        delete input.dataset.memberId;
        AG.status(t("person_added", { name: person.name }));
      } else {
        input.value = person.name;
        input.dataset.memberId = person.id;
        showId(person.id);
      }
      input.dispatchEvent(new CustomEvent("person-chosen", { detail: person }));
    }
    function highlight(i) {
      active = i;
      const options = listbox.querySelectorAll("[role=option]");
      options.forEach((o, j) => o.setAttribute("aria-selected", String(j === i)));
      if (i >= 0 && options[i]) {
        input.setAttribute("aria-activedescendant", options[i].id);
        options[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function open() {
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    const search = debounce(async () => {
      const text = input.value.trim();
      if (!text) return close();
      const mine = ++asked;
      let found;
      try {
        found = await api("/people" + query({ q: text, limit: 8 }));
      } catch (error) {
        items = [];
        AG.problem(error);
        return close();
      }
      if (mine !== asked) return;  // a later keystroke asked again: its answer counts
      items = found.items;
      listbox.replaceChildren(...(items.length ? items.map((p, i) => el("li", {
        id: `${listbox.id}-${i}`, role: "option", "aria-selected": "false",
        onmousedown: (ev) => { ev.preventDefault(); choose(i); },
      }, el("span", { class: "option-name" }, p.name), " ",
         el("span", { class: "muted option-facts" }, describe(p))))
        : [el("li", { class: "muted", role: "option", "aria-disabled": "true", id: `${listbox.id}-none` },
              t("no_people"))]));
      listbox.dataset.query = text;  // what the options answer (tests wait for it)
      open();
      highlight(-1);
      AG.status(items.length ? AG.plural("people_found", items.length) : t("no_people"));
    }, 150);

    // a value put in before (from the address: ?member=ID) is an id already
    if (input.value.trim() && !multi) {
      input.dataset.memberId = input.value.trim();
      showId(input.dataset.memberId);
    }
    input.addEventListener("input", () => { delete input.dataset.memberId; showId(""); search(); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") {
        e.preventDefault();
        if (listbox.hidden) { if (items.length) { open(); highlight(0); } else search(); return; }
        highlight(Math.min(items.length - 1, active + 1));
      } else if (e.key === "ArrowUp") {
        if (listbox.hidden) return;
        e.preventDefault();
        highlight(Math.max(0, active - 1));
      } else if (e.key === "Enter" && !listbox.hidden && items.length) {
        e.preventDefault();
        choose(active >= 0 ? active : 0);
      } else if (e.key === "Escape") {
        if (!listbox.hidden) { e.preventDefault(); close(); }
        else if (input.value) { e.preventDefault(); input.value = ""; delete input.dataset.memberId; showId(""); }
      } else if (e.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  /* The id of the person chosen in `input` (or typed there: admins may type ids). */
  function value(input) {
    if (!input) return "";
    return input.dataset.memberId || input.value.trim();
  }

  /* The ids of the people a multi picker holds. */
  function values(input) {
    const list = document.getElementById(input.dataset.chosen);
    return list ? [...list.querySelectorAll("[data-member-id]")].map((li) => li.dataset.memberId) : [];
  }

  AG.peoplePicker = { attach, value, values, describe };
  AG.page(() => document.querySelectorAll("[data-people-picker]").forEach(attach));
})();
