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

  function make(container, elements, layout, extraStyle, options) {
    if (typeof window.cytoscape !== "function") {
      throw new Error(AG.t("error_graph_library"));
    }
    container.replaceChildren();
    return window.cytoscape({
      container: container, elements: elements, layout: layout,
      style: BASE_STYLE.concat(extraStyle || []), minZoom: 0.2, maxZoom: 1.6,
      boxSelectionEnabled: false, autoungrabify: false, ...(options || {}),
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

  /* One member's network, readable at 1,500 connections: the member in the middle and its
   * circles (groups) around it, each a named box of its members laid out as a sunflower,
   * the strongest ties at its heart. Only the strongest few of each circle are labelled;
   * the others show their name on hover, on focus in the list and when selected, and every
   * label hides when zoomed out too far to read it. Second-degree members ring the lot.
   * Positions are computed here (no force layout): the first draw does not wait for one. */
  function drawNetwork(container, net, groups) {
    const GOLDEN = Math.PI * (3 - Math.sqrt(5));
    const SPACING = 34;
    const LABELLED = 1;  // the strongest tie of each circle, at its heart
    const MAX_TIES_DRAWN_AT = 300;
    const me = net.nodes[0];
    const first = net.nodes.filter((n) => n.depth === 1);
    const second = net.nodes.filter((n) => n.depth === 2);
    const members = new Map(groups.map((g) => [g.index, []]));
    for (const n of first) {
      const key = members.has(n.group ?? 0) ? (n.group ?? 0) : groups.length ? groups[0].index : 0;
      if (!members.has(key)) members.set(key, []);
      members.get(key).push(n);
    }
    const shown = groups.length ? groups : [{ index: 0, name: "" }];
    const radius = (k) => SPACING * Math.sqrt(Math.max(1, k)) + 30;
    const sizes = shown.map((g) => radius((members.get(g.index) || []).length));
    // the ring's radius: neighbours' centres a chord of their two radii and a gap apart,
    // all the way round (grown until the angles fit in a turn)
    const GAP = 40;
    const turn = (R) => sizes.reduce((a, r, i) => a + 2 * Math.asin(
      Math.min(1, (r + sizes[(i + 1) % sizes.length] + GAP) / (2 * R))), 0);
    let ring = 0;
    if (shown.length > 1) {
      ring = Math.max(Math.max(...sizes) + 90, sizes.reduce((a, r) => a + 2 * r + GAP, 0) / (2 * Math.PI));
      while (turn(ring) > 2 * Math.PI) ring *= 1.05;
    }
    // up to eight circles on a ring around the member; more fill the middle as a sunflower
    // of circles, the largest nearest, so that a big network does not leave a hole
    const packed = shown.length > 8;
    const step = 2.3 * Math.max(...sizes) + 30;
    const elements = [{ data: { id: me.id, label: me.name, name: me.name, kind: "me" }, position: { x: 0, y: 0 } }];
    let angle = -Math.PI / 2;
    shown.forEach((g, gi) => {
      const list = (members.get(g.index) || [])
        .sort((a, b) => (b.strength || 0) - (a.strength || 0) || a.name.localeCompare(b.name));
      if (!list.length) return;
      const r = sizes[gi];
      let cx = ring ? ring * Math.cos(angle) : 0;
      let cy0 = ring ? ring * Math.sin(angle) : r + 60;  // one circle: below the member
      if (ring) {
        const next = sizes[(gi + 1) % sizes.length];
        angle += 2 * Math.asin(Math.min(1, (r + next + GAP) / (2 * ring)));
      }
      if (packed) {
        const d = step * Math.sqrt(gi + 1);  // from one step out: the member is at the middle
        cx = d * Math.cos(gi * GOLDEN);
        cy0 = d * Math.sin(gi * GOLDEN);
      }
      // a plain node behind its members, not a compound parent: Cytoscape measures a
      // parent's box from its children on every frame, which at 1,500 members is seconds
      elements.push({ data: { id: "group:" + g.index, label: g.name, kind: "group", size: 2 * r,
                              group: g.index },
                      position: { x: cx, y: cy0 }, selectable: false, grabbable: false });
      list.forEach((n, i) => {
        const d = SPACING * Math.sqrt(i + 0.5);
        elements.push({ data: { id: n.id, group: g.index, label: i < LABELLED ? n.name : "", name: n.name,
                                kind: "first" },
                        position: { x: cx + d * Math.cos(i * GOLDEN), y: cy0 + d * Math.sin(i * GOLDEN) } });
      });
    });
    const outer = (packed ? step * Math.sqrt(shown.length) : ring) + Math.max(...sizes) + 120;
    second.forEach((n, i) => {
      const a = (2 * Math.PI * i) / Math.max(1, second.length);
      elements.push({ data: { id: n.id, label: "", name: n.name, kind: "second" },
                      position: { x: outer * Math.cos(a), y: outer * Math.sin(a) } });
    });
    // The ties among the connections are what made the circles; past a few hundred people
    // the circles say it alone, and thousands of lines would only slow the first frame.
    // The ties from the member are never drawn: everyone here has one.
    const ties = first.length <= MAX_TIES_DRAWN_AT ? net.edges : [];
    for (const e of ties) {
      if (e.source === me.id || e.target === me.id) continue;
      elements.push({ data: { id: e.source + "|" + e.target, source: e.source, target: e.target, width: 0.6 } });
    }
    // fitted here from the circles' known extent: Cytoscape's own fit measures every label
    const extent = { x1: -40, y1: -40, x2: 40, y2: 40 };
    for (const e of elements) {
      if (!e.position) continue;
      const half = e.data.kind === "group" ? e.data.size / 2 + 30 : 20;
      extent.x1 = Math.min(extent.x1, e.position.x - half);
      extent.x2 = Math.max(extent.x2, e.position.x + half);
      extent.y1 = Math.min(extent.y1, e.position.y - half);
      extent.y2 = Math.max(extent.y2, e.position.y + half);
    }
    const width = container.clientWidth || 600;
    const height = container.clientHeight || 400;
    // a little short of the full extent: the circles' names stand above them
    const zoom = Math.max(0.05, Math.min(1.6, 0.92 * Math.min(width / (extent.x2 - extent.x1),
                                                               height / (extent.y2 - extent.y1))));
    const pan = { x: width / 2 - zoom * (extent.x1 + extent.x2) / 2,
                  y: height / 2 - zoom * (extent.y1 + extent.y2) / 2 };
    // the circles' names and the member stay readable at the zoom the drawing opens with
    for (const e of elements) {
      if (e.data.kind === "group" || e.data.kind === "me") e.data.font = Math.max(14, 12 / zoom);
      if (e.data.kind === "first") e.data.font = Math.max(11, 10.5 / zoom);
      if (e.data.kind === "me") e.data.size = Math.max(32, 20 / zoom);
    }
    // a name is drawn only where it fits: inside a circle at least this wide on screen
    const roomy = new Set(elements.filter((e) => e.data.kind === "group" && e.data.size * zoom >= 130)
      .map((e) => e.data.group));
    for (const e of elements) {
      if (e.data.kind === "first" && !roomy.has(e.data.group)) e.data.label = "";
    }
    // The first frame holds what one reads first: the member, the circles with their names
    // and the labelled few. Every other member and tie is added in one batch once it is up
    // (completeNetwork), so that the first frame costs the same at 150 connections as at
    // 1,500: Cytoscape styles and measures each element before it draws any.
    const early = [];
    const later = [];
    for (const e of elements) {
      const first = e.data.kind === "me" || e.data.kind === "group" || (e.data.kind === "first" && e.data.label);
      (first ? early : later).push(e);
    }
    const cy = make(container, early, { name: "preset", fit: false }, [
      { selector: "node[kind = 'group']", style: {
        shape: "ellipse", width: "data(size)", height: "data(size)", "z-index": 0,
        "background-color": "#f1f5f9", "background-opacity": 0.9, "border-color": "#cbd5e1",
        "border-width": 1, label: "data(label)", "text-valign": "top", "text-halign": "center",
        "text-margin-y": -4, "font-size": "data(font)", "font-weight": "bold", color: "#1e293b",
        "text-background-color": "#ffffff", "text-background-opacity": 0.85, "text-background-padding": 2,
        "text-wrap": "none", events: "no" } },
      { selector: "node[kind = 'me']", style: { width: "data(size)", height: "data(size)",
        "font-size": "data(font)", "z-index": 30 } },
      { selector: "node[kind = 'first']", style: { width: 16, height: 16, "font-size": "data(font)",
        "z-index": 10, "text-wrap": "none" } },
      { selector: "node.hover, node:selected", style: { label: "data(name)", "z-index": 20,
        "text-background-opacity": 1 } },
      { selector: "edge", style: { "curve-style": "haystack", opacity: 0.35, "z-index": 5 } },
    ], { zoom: zoom, pan: pan, minZoom: Math.min(0.2, zoom), hideEdgesOnViewport: ties.length > 1000,
         textureOnViewport: first.length > 500 });
    focusOnSelect(cy);
    cy.scratch("_agLater", later);
    return cy;
  }

  /* The rest of a network drawn by drawNetwork, added in one batch in the frame after the
   * first; resolves once it is drawn (at once when there is nothing left to add). */
  function completeNetwork(cy) {
    const later = cy.scratch("_agLater") || [];
    cy.removeScratch("_agLater");
    return new Promise((resolve) => {
      if (!later.length) { resolve(cy); return; }
      requestAnimationFrame(() => {
        if (cy.destroyed()) { resolve(cy); return; }
        cy.one("render", () => resolve(cy));
        cy.batch(() => cy.add(later));
      });
    });
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

  AG.graphs = { drawPaths, drawNetwork, completeNetwork, drawCommunities, COLORS };
})();
