// The quality report drawn as SVG in the browser: the numbers come from /api/report (tools/report.py,
// computed in one place for the page, the CLI and GenerationMetadata); this file only draws them.
"use strict";

(() => {
  const NS = "http://www.w3.org/2000/svg";

  function el(tag, attrs = {}, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) if (k === "class") e.className = v; else e.setAttribute(k, v);
    for (const kid of kids.flat()) if (kid != null) e.append(kid instanceof Node ? kid : String(kid));
    return e;
  }

  function svg(tag, attrs = {}, text) {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  const pct = (x) => `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)}%`;
  // Numbers shortened; instants (ISO 8601 strings) to their day.
  const short = (x) => (typeof x === "string" ? x.slice(0, 10) : (Math.abs(x) >= 1e5 ? x.toExponential(1) : +x.toFixed(2)).toString());
  const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

  // Ten bars over [min, max]: each bar's height is its share of the sampled values.
  function histogram(bars, title = "histogram") {
    const w = 220, hgt = 64, top = Math.max(...bars.map((b) => b[2]), 1e-9);
    const chart = svg("svg", { viewBox: `0 0 ${w} ${hgt + 14}`, class: "chart", role: "img", "data-chart": title });
    chart.append(svg("title", {}, title));
    const bw = w / bars.length;
    bars.forEach(([lo, hi, share], i) => {
      const bh = (share / top) * hgt;
      const r = svg("rect", { x: i * bw + 1, y: hgt - bh, width: bw - 2, height: bh, class: "bar" });
      r.append(svg("title", {}, `${short(lo)} – ${short(hi)}: ${pct(share)}`));
      chart.append(r);
    });
    chart.append(svg("text", { x: 0, y: hgt + 12, class: "axis" }, short(bars[0][0])));
    chart.append(svg("text", { x: w, y: hgt + 12, class: "axis", "text-anchor": "end" }, short(bars[bars.length - 1][1])));
    return chart;
  }

  // The most frequent values as horizontal bars, with their counts.
  function topValues(top, total) {
    const rows = top.slice(0, 6), w = 220, rh = 14, most = Math.max(...rows.map((r) => r[1]), 1);
    const chart = svg("svg", { viewBox: `0 0 ${w} ${rows.length * rh}`, class: "chart", role: "img" });
    chart.append(svg("title", {}, "top values"));
    rows.forEach(([value, n], i) => {
      chart.append(svg("rect", { x: 90, y: i * rh + 2, width: (n / most) * 100, height: rh - 4, class: "bar" }));
      const label = value.length > 14 ? value.slice(0, 13) + "…" : value;
      chart.append(svg("text", { x: 86, y: i * rh + 11, class: "label", "text-anchor": "end" }, label));
      chart.append(svg("text", { x: 94 + (n / most) * 100, y: i * rh + 11, class: "axis" }, total ? pct(n / total) : String(n)));
    });
    return chart;
  }

  function fieldCard(path, f) {
    const facts = [f.type, `null ${pct(f.null_share)}`];
    if (f.min !== undefined) facts.push(`${short(f.min)} … ${short(f.max)}${f.mean === undefined ? "" : `, mean ${short(f.mean)}`}`);
    if (f.distinct !== undefined) facts.push(f.distinct > 1000 ? "over 1,000 distinct" : `${f.distinct} distinct`); // counted up to 1,000
    if (f.values_covered) facts.push(`values ${f.values_covered[0]}/${f.values_covered[1]}`);
    const present = f.count - Math.round(f.null_share * f.count);
    const unique = f.distinct !== undefined && f.distinct === present && present > 1; // ids: a chart of 1% bars says nothing
    const chart = f.histogram?.length ? histogram(f.histogram) : unique ? el("p", { class: "small dim" }, "every value distinct")
      : f.top?.length ? topValues(f.top, present) : null;
    const hours = f.by_hour ? histogram(f.by_hour.map((v, i) => [`${i}h`, `${i + 1}h`, v]), "by hour (UTC)") : null;
    const days = f.by_weekday ? histogram(f.by_weekday.map((v, i) => [DAYS[i], DAYS[i], v]), "by weekday") : null;
    return el("div", { class: "card", "data-field": path }, el("h4", {}, path), el("p", { class: "small dim" }, facts.join(" · ")), chart,
      hours ? [el("p", { class: "small dim" }, "by hour of day (UTC)"), hours] : null, days ? [el("p", { class: "small dim" }, "by weekday"), days] : null);
  }

  function counts(title, obj, cls) {
    const entries = Object.entries(obj || {});
    if (!entries.length) return null;
    return el("div", { class: cls }, el("h4", {}, title), el("ul", { class: "small" }, entries.map(([k, v]) => el("li", {}, `${k || "(none)"}: `, el("b", {}, typeof v === "number" && v <= 1 && title.includes("pass") ? pct(v) : String(v))))));
  }

  window.renderReport = (out, r) => {
    const limited = r.rows >= r.row_limit ? ` (the first ${r.row_limit.toLocaleString()}: the report's limit)` : "";
    out.replaceChildren(
      el("p", { class: "summary" }, `${r.rows.toLocaleString()} rows measured${limited}. Rows breaking no rule: `, el("b", { id: "pass-rate" }, pct(r.rule_pass_rate))),
      el("div", { class: "facts" },
        counts("Rule pass rates", r.rules, "rules"),
        counts("Checks broken on purpose (pass rates)", r.checks, "checks"),
        counts("Edge cases", r.edge_cases, "edges"),
        counts("Scenarios", r.scenarios, "scenarios")),
      el("div", { class: "cards" }, Object.entries(r.fields).map(([p, f]) => fieldCard(p, f))),
    );
  };

  // Entities in columns by depth (parents left), one line per foreign key.
  function graph(names, edges) {
    const parents = {};
    for (const e of edges) (parents[e.from.split(".")[0]] ||= []).push(e.to);
    // One column right of its deepest parent; `seen` stops a cycle a user's schema may have.
    const depth = (n, seen = 0) => Math.max(0, ...(seen < 20 ? (parents[n] || []).filter((p) => p !== n).map((p) => 1 + depth(p, seen + 1)) : []));
    const cols = {};
    for (const n of names) (cols[depth(n)] ||= []).push(n);
    const pos = {}, bw = 130, bh = 22, gx = 40, gy = 10;
    for (const [d, ns] of Object.entries(cols)) ns.forEach((n, i) => { pos[n] = [d * (bw + gx), i * (bh + gy)]; });
    const width = (Object.keys(cols).length) * (bw + gx), height = Math.max(...Object.values(cols).map((c) => c.length)) * (bh + gy);
    const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "graph", role: "img" });
    chart.append(svg("title", {}, "foreign keys"));
    for (const e of edges) {
      const a = pos[e.from.split(".")[0]], b = pos[e.to];
      if (!a || !b) continue;
      const line = svg("line", { x1: a[0], y1: a[1] + bh / 2, x2: b[0] + bw, y2: b[1] + bh / 2, class: "edge" });
      line.append(svg("title", {}, `${e.from} → ${e.to}`));
      chart.append(line);
    }
    for (const [n, [x, y]] of Object.entries(pos)) {
      chart.append(svg("rect", { x, y, width: bw, height: bh, rx: 4, class: "node" }));
      chart.append(svg("text", { x: x + 6, y: y + 15, class: "label" }, n));
    }
    return chart;
  }

  window.renderDatasetReport = (out, data) => {
    const names = Object.keys(data.counts).length ? Object.keys(data.counts) : Object.keys(data.rows);
    const sections = Object.entries(data.reports).map(([entity, r]) => {
      const box = el("div");
      window.renderReport(box, r);
      return el("details", { class: "entity-report" }, el("summary", {}, `${entity}: rows breaking no rule ${pct(r.rule_pass_rate)}`), box);
    });
    out.replaceChildren(
      el("h4", {}, "Records per entity"),
      el("table", { class: "counts" }, el("tbody", {}, Object.entries(data.counts).map(([e, n]) => el("tr", {}, el("td", {}, e), el("td", { class: "num" }, n.toLocaleString()))))),
      el("h4", {}, "Foreign keys"),
      graph(names, data.graph),
      el("ul", { class: "small" }, data.graph.map((e) => el("li", {}, `${e.from} → ${e.to}`))),
      ...sections,
    );
  };
})();
