/* My network: GET /members/{id}/network?depth, drawn; click (or pick from the list) for details. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, memberId, plural } = AG;
  let cy = null;
  let byId = new Map();

  function detail(id) {
    const n = byId.get(id);
    if (!n) return;
    const facts = [n.city, n.graduation_year ? t("class_of", { year: n.graduation_year }) : null,
                   n.role ? t("member_role_" + n.role) : null].filter(Boolean).join(" · ");
    const children = [el("h3", { class: "person-name" }, n.name), el("p", { class: "muted" }, facts),
                      el("p", {}, t(n.depth === 0 ? "legend_you" : n.depth === 1 ? "legend_first" : "legend_second"))];
    if (n.depth > 0) {
      children.push(el("p", {}, el("a", { class: "button-secondary",
        href: AG.pageUrl("paths", { to: n.id, member: memberId() }) }, t("how_to_reach", { name: n.name.split(" ")[0] }))));
    }
    $("network-detail").replaceChildren(...children);
  }

  function select(id) {
    if (!cy) return;
    cy.$(":selected").unselect();
    cy.getElementById(id).select();
    detail(id);
  }

  async function load() {
    const id = memberId();
    if (!id) {
      AG.problem(new Error(t("act_for_missing")));
      $("act-for").focus();
      return;
    }
    const depth = document.querySelector("input[name=depth]:checked").value;
    const net = await run(() => api(`/members/${encodeURIComponent(id)}/network` + query({ depth })));
    if (!net) return;
    $("network-result").hidden = false;
    byId = new Map(net.nodes.map((n) => [n.id, n]));
    const first = net.nodes.filter((n) => n.depth === 1);
    $("network-people").replaceChildren(...net.nodes.filter((n) => n.depth <= 1).map((n) =>
      el("li", {}, el("button", { type: "button", class: "link-button", onclick: () => select(n.id) }, n.name))));
    let caption = t("network_caption", { name: net.nodes[0].name }) + " " + plural("connections_shown", first.length);
    if (net.hidden_connections) caption += " " + plural("connections_hidden", net.hidden_connections);
    if (net.truncated) caption += " " + t("network_truncated");
    $("network-caption").textContent = caption;
    try {
      cy = AG.graphs.drawNetwork($("network-graph"), net);
      cy.on("tap", "node", (event) => detail(event.target.id()));
    } catch (error) {
      AG.problem(error);
    }
    status(caption);
  }

  $("network-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
