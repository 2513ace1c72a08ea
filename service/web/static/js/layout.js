/* The page's layout on small screens: the navigation folds behind a menu button (a
 * disclosure: aria-expanded on the button, the nav shown or hidden), and drawings are
 * fitted again when the window changes size or turns. Nothing here knows the session:
 * the button shows only when core.js has shown the navigation. */
"use strict";

(function () {
  const NARROW = window.matchMedia("(max-width: 760px)");

  function setUp() {
    const button = document.getElementById("menu-button");
    const nav = document.getElementById("mainnav");
    if (!button || !nav) return;
    function apply() {
      const folded = NARROW.matches && !nav.hidden;
      button.hidden = !folded;
      const open = !folded || button.getAttribute("aria-expanded") === "true";
      nav.classList.toggle("folded", !open);
    }
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      apply();
      if (open) {
        const first = nav.querySelector("li:not([hidden]) a");
        if (first) first.focus();
      }
    });
    nav.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !button.hidden) {
        button.setAttribute("aria-expanded", "false");
        apply();
        button.focus();
      }
    });
    NARROW.addEventListener("change", apply);
    // core.js shows the navigation once it knows who is signed in
    new MutationObserver(apply).observe(nav, { attributes: true, attributeFilter: ["hidden"] });
    apply();

    // drawings fit the screen again after a resize or a turn of the phone
    let timer;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        document.querySelectorAll(".graph").forEach((g) => {
          const cy = g._cyreg && g._cyreg.cy;
          if (cy) { cy.resize(); cy.fit(undefined, 30); }
        });
      }, 200);
    });
  }

  document.addEventListener("DOMContentLoaded", setUp);
})();
