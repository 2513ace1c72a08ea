/* My network: GET /members/{id}/network?depth, drawn; click (or pick from the list) for details. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, requireMember, plural } = AG;
  let cy = null;
  let byId = new Map();

  function detail(id) {
    const n = byId.get(id);
    if (!n) return;
    $("network-detail").replaceChildren(
      el("h3", { class: "person-name" }, n.name), el("p", { class: "muted" }, AG.memberFacts(n)),
      el("p", {}, t(n.depth === 0 ? "legend_you" : n.depth === 1 ? "legend_first" : "legend_second")),
      ...(n.depth > 0 ? [el("p", {}, AG.reachLink(n))] : []));
  }

  function select(id) {
    if (!cy) return;
    cy.$(":selected").unselect();
    cy.getElementById(id).select();
    detail(id);
  }

  async function load() {
    const id = requireMember();
    if (!id) return;
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
