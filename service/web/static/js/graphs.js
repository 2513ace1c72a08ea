/* Drawings with Cytoscape.js (vendored under /web/static/vendor/cytoscape/).
 * Each drawing has a text twin on its page (a list or a table) for keyboard and screen
 * reader users; the canvas itself is role="img" with a caption. */
"use strict";

(function () {
  const COLORS = {
    me: "#1d4ed8", first: "#0f766e", second: "#94a3b8", target: "#b45309",
    company: "#7c3aed", edge: "#9ca3af", strong: "#1d4ed8", text: "#1f2937",
  };
  const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';

  const BASE_STYLE = [
    { selector: "node", style: {
      "background-color": COLORS.first, label: "data(label)", color: COLORS.text,
      "font-family": FONT, "font-size": 12, "text-valign": "bottom", "text-margin-y": 6,
      "text-wrap": "wrap", "text-max-width": 130, width: 22, height: 22,
      "text-background-color": "#ffffff", "text-background-opacity": 0.85,
      "text-background-padding": 2, "border-width": 2, "border-color": "#ffffff" } },
    { selector: "node[kind = 'me']", style: { "background-color": COLORS.me, width: 32, height: 32,
      "font-weight": "bold" } },
    { selector: "node[kind = 'second']", style: { "background-color": COLORS.second, width: 14, height: 14,
      "font-size": 10 } },
    { selector: "node[kind = 'target']", style: { "background-color": COLORS.target, width: 30, height: 30,
      "font-weight": "bold" } },
    { selector: "node[kind = 'company']", style: { "background-color": COLORS.company, shape: "round-rectangle",
      width: 34, height: 34, "font-weight": "bold" } },
    { selector: "edge", style: { "line-color": COLORS.edge, width: "data(width)", "curve-style": "bezier",
      opacity: 0.8 } },
    { selector: "edge[kind = 'works']", style: { "line-style": "dashed", "line-color": COLORS.company } },
    { selector: "edge[kind = 'path']", style: { "line-color": COLORS.strong, opacity: 0.9,
      label: "data(label)", "font-size": 10, "font-family": FONT, color: "#374151",
      "text-background-color": "#ffffff", "text-background-opacity": 1, "text-background-padding": 2 } },
    { selector: ":selected", style: { "border-color": "#f59e0b", "border-width": 4 } },
    { selector: "node.faded", style: { opacity: 0.25 } },
    { selector: "edge.faded", style: { opacity: 0.08 } },
  ];

  function make(container, elements, layout, extraStyle) {
    if (typeof window.cytoscape !== "function") {
      throw new Error(AG.t("error_graph_library"));
    }
    container.replaceChildren();
    return window.cytoscape({
      container: container, elements: elements, layout: layout,
      style: BASE_STYLE.concat(extraStyle || []), minZoom: 0.2, maxZoom: 1.6,
      boxSelectionEnabled: false, autoungrabify: false,
    });
  }

  /* Introduction paths: the member on the left, the target (or company) on the right, one
   * row per path; tie strengths on the edges. */
  function drawPaths(container, result) {
    const paths = result.paths;
    const me = paths[0].members[0];
    const width = 220 * Math.max(...paths.map((p) => p.hops));
    const nodes = new Map();
    const edges = [];
    const rowGap = 95;
    const node = (m, kind, x, y) => {
      if (!nodes.has(m.id)) nodes.set(m.id, { data: { id: m.id, label: m.name, kind: kind }, position: { x, y } });
    };
    node(me, "me", 0, 0);
    paths.forEach((p, i) => {
      const y = (i - (paths.length - 1) / 2) * rowGap;
      p.members.forEach((m, j) => {
        if (j === 0) return;
        const last = j === p.members.length - 1;
        const kind = last ? (result.to ? "target" : "first") : "first";
        const x = last && result.to ? width : (j / p.hops) * width;
        node(m, kind, x, result.to && last ? 0 : y);
        const prev = p.members[j - 1];
        const s = p.ties[j - 1];
        edges.push({ data: { id: `p${i}-${j}`, source: prev.id, target: m.id, kind: "path",
                             width: 1.5 + 4 * s, label: AG.formatNumber(s, 2) } });
      });
      if (result.company) {
        const end = p.members[p.members.length - 1];
        edges.push({ data: { id: `w${i}`, source: end.id, target: "company:" + result.company.id,
                             kind: "works", width: 1.5 } });
      }
    });
    if (result.company) {
      nodes.set("company:" + result.company.id, { data: { id: "company:" + result.company.id,
        label: result.company.name, kind: "company" }, position: { x: width + 200, y: 0 } });
    }
    const cy = make(container, [...nodes.values(), ...edges], { name: "preset", fit: true, padding: 40 });
    return cy;
  }

  /* One member's network: the member in the middle, connections around, their ties. */
  function drawNetwork(container, net) {
    const elements = net.nodes.map((n) => ({ data: {
      id: n.id, label: n.depth === 2 ? "" : n.name, name: n.name,
      kind: n.depth === 0 ? "me" : n.depth === 1 ? "first" : "second" } }));
    for (const e of net.edges) {
      elements.push({ data: { id: e.source + "|" + e.target, source: e.source, target: e.target,
                              width: e.strength ? 1 + 3 * e.strength : 0.6 } });
    }
    // rings by distance from the member: a force layout piles a star's leaves on each other
    const cy = make(container, elements, {
      name: "concentric", concentric: (n) => ({ me: 3, first: 2, second: 1 })[n.data("kind")],
      levelWidth: () => 1, minNodeSpacing: 46, startAngle: -Math.PI / 2, animate: false,
      padding: 40, fit: true,
    });
    focusOnSelect(cy);
    return cy;
  }

  /* Communities: one node per community, sized by members; edges by the ties between. */
  function drawCommunities(container, graph, labelOf) {
    const maxSize = Math.max(...graph.communities.map((c) => c.members));
    const maxTies = Math.max(1, ...graph.links.map((l) => l.ties));
    const palette = ["#1d4ed8", "#0f766e", "#b45309", "#7c3aed", "#be123c", "#4d7c0f", "#0369a1",
                     "#a16207", "#6d28d9", "#047857", "#c2410c", "#334155"];
    const elements = graph.communities.map((c, i) => ({ data: {
      id: "c" + c.index, label: labelOf(c), size: 24 + 56 * Math.sqrt(c.members / maxSize),
      color: palette[i % palette.length], kind: "community" } }));
    for (const l of graph.links) {
      elements.push({ data: { id: `l${l.source}-${l.target}`, source: "c" + l.source, target: "c" + l.target,
                              width: 1 + 9 * (l.ties / maxTies) } });
    }
    // a ring, largest first: a force layout draws the few big, densely tied communities of
    // a club on top of each other
    const cy = make(container, elements, {
      name: "circle", avoidOverlap: true, spacingFactor: 1.1, startAngle: -Math.PI / 2,
      padding: 50, fit: true, animate: false,
    }, [{ selector: "node[kind = 'community']", style: { width: "data(size)", height: "data(size)",
      "background-color": "data(color)", "font-size": 12, "text-max-width": 160 } }]);
    focusOnSelect(cy);
    return cy;
  }

  /* Selecting a node fades everything not tied to it. */
  function focusOnSelect(cy) {
    cy.on("select", "node", (event) => {
      const near = event.target.closedNeighborhood();
      cy.elements().not(near).addClass("faded");
      near.removeClass("faded");
    });
    cy.on("unselect", "node", () => cy.elements().removeClass("faded"));
  }

  AG.graphs = { drawPaths, drawNetwork, drawCommunities, COLORS };
})();
