/* Small SVG charts drawn from numbers (no library): bars and a line, each with a table
 * twin for screen readers (the SVG is aria-hidden; the numbers are in the table). */
"use strict";

(function () {
  const NS = "http://www.w3.org/2000/svg";
  const COLOR = "#1d4ed8";

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
    return 10 * p;
  }

  function table(caption, headers, rows) {
    const { el } = AG;
    return el("table", { class: "data compact visually-hidden" },
      el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) => i === 0
        ? el("th", { scope: "row" }, c) : el("td", {}, c))))));
  }

  /* Vertical bars: items [{label, value}]; value may be "fewer than 5" (drawn as a stub). */
  function columns(container, items, opts) {
    const W = 560, H = 240, left = 44, bottom = 34, top = 12;
    const values = items.map((d) => (typeof d.value === "number" ? d.value : 0));
    const max = niceMax(Math.max(...values, 1));
    const bw = (W - left - 8) / Math.max(items.length, 1);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", "aria-hidden": "true" });
    for (let i = 0; i <= 4; i++) {
      const y = top + (H - top - bottom) * (1 - i / 4);
      root.append(svg("line", { x1: left, x2: W - 4, y1: y, y2: y, class: "grid" }),
                  svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" },
                      AG.formatNumber(Math.round((max * i) / 4))));
    }
    const every = Math.ceil(items.length / (opts.maxLabels || 12));
    items.forEach((d, i) => {
      const v = typeof d.value === "number" ? d.value : 0;
      const h = ((H - top - bottom) * v) / max;
      const x = left + i * bw + bw * 0.12;
      root.append(svg("rect", { x, y: H - bottom - h, width: bw * 0.76, height: Math.max(h, v ? 1 : 0),
                                fill: opts.color || COLOR, rx: 2 }));
      if (i % every === 0) {
        root.append(svg("text", { x: x + bw * 0.38, y: H - bottom + 16, class: "axis", "text-anchor": "middle" },
                        d.label));
      }
    });
    container.replaceChildren(root, table(opts.caption, opts.headers,
      items.map((d) => [d.label, AG.formatNumber(d.value)])));
  }

  /* Horizontal bars with a label on the left: for communities and destinations. */
  function bars(container, items, opts) {
    const row = 26, left = opts.labelWidth || 220, W = 560;
    const H = items.length * row + 8;
    const values = items.map((d) => (typeof d.value === "number" ? d.value : 0));
    const max = Math.max(...values, 1);
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-svg", "aria-hidden": "true" });
    items.forEach((d, i) => {
      const y = 4 + i * row;
      const w = ((W - left - 70) * (typeof d.value === "number" ? d.value : 0)) / max;
      root.append(
        svg("text", { x: left - 8, y: y + 16, class: "label", "text-anchor": "end" }, d.label),
        svg("rect", { x: left, y: y + 4, width: Math.max(w, 1), height: row - 10, rx: 2,
                      fill: d.color || opts.color || COLOR }),
        svg("text", { x: left + w + 6, y: y + 16, class: "value" }, d.text || AG.formatNumber(d.value)));
    });
    container.replaceChildren(root, table(opts.caption, opts.headers,
      items.map((d) => [d.label, d.text || AG.formatNumber(d.value)])));
  }

  AG.charts = { columns, bars };
})();
