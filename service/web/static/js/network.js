/* My network: GET /members/{id}/network?depth&limit — the connections strongest tie first,
 * in the circles the ties among them form (groups, named by a shared cohort or city).
 * The drawing shows each circle with its name; the list beside it is the same content in
 * text, circle by circle, and selects in the drawing with the keyboard. */
"use strict";

AG.page(function () {
  const { t, $, el, api, run, status, query, requireMember, plural, formatNumber } = AG;
  let cy = null;
  let byId = new Map();

  function groupName(g) {
    if (g.index === 0) return t("group_alone");
    if (g.program) return g.year ? `${g.program} ${g.year}` : g.program;
    if (g.city) return g.city;
    return t("group_numbered", { n: g.index });
  }

  function detail(id) {
    const n = byId.get(id);
    if (!n) return;
    $("network-detail").replaceChildren(
      el("h3", { class: "person-name" }, n.name), el("p", { class: "muted" }, AG.memberFacts(n)),
      el("p", {}, t(n.depth === 0 ? "legend_you" : n.depth === 1 ? "legend_first" : "legend_second")),
      n.strength ? el("p", { class: "muted" }, t("tie_strength", { s: formatNumber(n.strength, 2) })) : null,
      ...(n.depth > 0 ? [el("p", {}, AG.reachLink(n))] : []));
  }

  function select(id) {
    detail(id);
    if (!cy) return;
    cy.$(":selected").unselect();
    const node = cy.getElementById(id);
    node.select();
    if (!cy.extent().x1 || !node.renderedBoundingBox) return;
    const box = node.renderedBoundingBox();
    if (box.x2 < 0 || box.y2 < 0 || box.x1 > cy.width() || box.y1 > cy.height()) cy.center(node);
  }

  function hover(id, on) {
    if (!cy) return;
    const node = cy.getElementById(id);
    if (on) node.addClass("hover"); else node.removeClass("hover");
  }

  /* The list beside the drawing: circle by circle, strongest ties first. */
  function list(net, groups) {
    const first = net.nodes.filter((n) => n.depth === 1);
    return groups.map((g) => {
      const people = first.filter((n) => (n.group ?? 0) === g.index)
        .sort((a, b) => (b.strength || 0) - (a.strength || 0) || a.name.localeCompare(b.name));
      return el("li", {},
        el("h3", {}, groupName(g), " ", el("span", { class: "muted" }, `(${formatNumber(people.length)})`)),
        el("ul", {}, people.map((n) => el("li", {},
          el("button", { type: "button", class: "link-button", onclick: () => select(n.id),
                         onfocus: () => hover(n.id, true), onblur: () => hover(n.id, false),
                         onmouseenter: () => hover(n.id, true), onmouseleave: () => hover(n.id, false) },
             n.name),
          n.strength ? el("span", { class: "tie", "aria-hidden": "true" }, formatNumber(n.strength, 2)) : null))));
    });
  }

  let drawing = 0;  // a drawing still being completed when the next starts is dropped

  async function load() {
    const id = requireMember();
    if (!id) return;
    const depth = document.querySelector("input[name=depth]:checked").value;
    // the member itself is one of the nodes; 2,000 is the most the server draws
    const limit = Math.min(2000, Number($("network-limit").value) + 1);
    const graph = $("network-graph");
    delete graph.dataset.drawnMs;
    delete graph.dataset.completeMs;
    const net = await run(() => api(`/members/${encodeURIComponent(id)}/network` + query({ depth, limit })));
    if (!net) return;
    const started = performance.now();
    const mine = ++drawing;
    $("network-result").hidden = false;
    const strength = new Map();
    for (const e of net.edges) {
      if (e.source === id) strength.set(e.target, e.strength);
      else if (e.target === id) strength.set(e.source, e.strength);
    }
    for (const n of net.nodes) n.strength = strength.get(n.id) || 0;
    byId = new Map(net.nodes.map((n) => [n.id, n]));
    const groups = (net.groups || []).map((g) => ({ ...g, name: groupName(g) }));
    const first = net.nodes.filter((n) => n.depth === 1);
    let caption = t("network_caption", { name: net.nodes[0].name }) + " " + plural("connections_shown", first.length);
    if (groups.length) caption += " " + plural("network_in_circles", groups.filter((g) => g.index > 0).length);
    if (net.hidden_connections) caption += " " + plural("connections_hidden", net.hidden_connections);
    if (net.truncated) caption += " " + t("network_truncated");
    $("network-caption").textContent = caption;
    // the drawing's first frame, then everyone in it, then the list (a button per person)
    const rest = () => {
      if (mine !== drawing) return;
      $("network-people").replaceChildren(...list(net, groups));
      status(caption);
    };
    try {
      if (cy) cy.destroy();
      cy = AG.graphs.drawNetwork(graph, net, groups);
      cy.on("tap", "node[kind != 'group']", (event) => detail(event.target.id()));
      cy.on("mouseover", "node[kind != 'group']", (event) => event.target.addClass("hover"));
      cy.on("mouseout", "node", (event) => event.target.removeClass("hover"));
      const drawn = cy;
      cy.one("render", () => {
        graph.dataset.drawnMs = String(Math.round(performance.now() - started));
        AG.graphs.completeNetwork(drawn).then(() => {
          if (mine !== drawing) return;
          graph.dataset.completeMs = String(Math.round(performance.now() - started));
          rest();
        });
      });
    } catch (error) {
      rest();
      AG.problem(error);
    }
  }

  $("network-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  if (AG.session().member_id) load();
});
