"use strict";
// resgraph report of a sweep: the scatter plot of two chosen figures with the Pareto front
// the report precomputed for every pair (#sweep-data); the page computes no figure.
(function () {
  const data = JSON.parse(document.getElementById("sweep-data").textContent);
  const svg = document.getElementById("scatter-plot");
  if (!svg || !data.pair) { return; }
  const NS = "http://www.w3.org/2000/svg";
  const W = svg.width.baseVal.value, H = svg.height.baseVal.value;
  const L = 64, R = 14, T = 14, B = 40;

  function scale(values, lo, hi) {
    const min = Math.min.apply(null, values), max = Math.max.apply(null, values);
    const log = min > 0 && max / min > 100;
    const f = function (v) { return log ? Math.log10(v) : v; };
    const a = f(min), b = f(max) === a ? a + 1 : f(max);
    return function (v) { return lo + (f(v) - a) / (b - a) * (hi - lo); };
  }
  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    svg.appendChild(e);
    return e;
  }
  function draw() {
    const x = document.getElementById("x").value, y = document.getElementById("y").value;
    svg.textContent = "";
    const pts = data.points.filter(function (p) { return x in p.f && y in p.f; });
    el("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis"});
    el("line", {x1: L, y1: T, x2: L, y2: H - B, class: "axis"});
    el("text", {x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle"}, x);
    el("text", {x: L + 6, y: T + 8}, y);
    if (!pts.length) { return; }
    const xs = pts.map(function (p) { return p.f[x]; }), ys = pts.map(function (p) { return p.f[y]; });
    const sx = scale(xs, L, W - R), sy = scale(ys, H - B, T);
    const lo = function (v) { return Math.min.apply(null, v); };
    const hi = function (v) { return Math.max.apply(null, v); };
    const num = function (v) { return Number(v.toPrecision(3)).toLocaleString("en"); };
    el("text", {x: L, y: H - B + 14, "text-anchor": "start", class: "tick"}, num(lo(xs)));
    el("text", {x: W - R, y: H - B + 14, "text-anchor": "end", class: "tick"}, num(hi(xs)));
    el("text", {x: L - 4, y: H - B, "text-anchor": "end", class: "tick"}, num(lo(ys)));
    el("text", {x: L - 4, y: T + 8, "text-anchor": "end", class: "tick"}, num(hi(ys)));
    const front = new Set(data.fronts[x + "|" + y] || []);
    pts.forEach(function (p) {
      const dot = el("circle", {cx: sx(p.f[x]), cy: sy(p.f[y]), r: front.has(p.i) ? 4 : 3,
                                class: front.has(p.i) ? "front" : "dot"});
      dot.appendChild(document.createElementNS(NS, "title")).textContent =
        "#" + p.i + " " + JSON.stringify(p.p) + "\n" + x + " " + p.f[x] + ", " + y + " " + p.f[y];
      dot.addEventListener("click", function () { pick(p); });
    });
    const line = (data.fronts[x + "|" + y] || []).map(function (i) {
      const p = pts.find(function (q) { return q.i === i; });
      return sx(p.f[x]) + "," + sy(p.f[y]);
    });
    el("polyline", {points: line.join(" "), class: "frontline"});
  }
  function pick(p) {
    const page = data.pages[String(p.i)];
    const out = document.getElementById("picked");
    out.textContent = "#" + p.i + " " + JSON.stringify(p.p) + " ";
    const a = document.createElement("a");
    a.href = page || "#c" + p.i;
    a.textContent = page ? "its report" : "its row";
    out.appendChild(a);
  }
  document.getElementById("x").addEventListener("change", draw);
  document.getElementById("y").addEventListener("change", draw);
  draw();
})();
