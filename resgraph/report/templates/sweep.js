"use strict";
// resgraph report of a sweep: the candidates' table a page at a time, sorted on the page, and
// the scatter plot of two chosen figures with the Pareto front the report precomputed for
// every pair (#sweep-data); the page computes no figure. The table's data is columnar
// (sweep_page.table_data): each distinct row once, a row number per candidate, the indices
// as runs; the scatter draws one point per occupied cell of CELL pixels, the front whole.
(function () {
  const data = JSON.parse(document.getElementById("sweep-data").textContent);
  const T = data.table;
  const STATUS = 0, PARAMS = 1, DUPLICATE = 2, NOTE = 3, ERROR = 4, VALUES = 5, TEXTS = 6;
  const PAGE = data.page_rows, CELL = 2;
  const n = T.of.length;
  const index = new Int32Array(n);  // the candidates' indices, ascending
  (function () {
    let k = 0;
    T.runs.forEach(function (run) { for (let j = 0; j < run[1]; j++) { index[k++] = run[0] + j; } });
  })();
  const rowOf = function (pos) { return T.rows[T.of[pos]]; };

  function position(i) {  // the place of candidate i in `index` (binary search), or -1
    let lo = 0, hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (index[mid] === i) { return mid; }
      if (index[mid] < i) { lo = mid + 1; } else { hi = mid - 1; }
    }
    return -1;
  }
  function escape(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c];
    });
  }

  // the table ------------------------------------------------------------------------------
  const table = document.getElementById("candidate-table");
  const body = table.tBodies[0];
  let order = Array.from({length: n}, function (_, k) { return k; });
  let page = 0;

  function why(i, row) {
    const link = data.pages[String(i)];
    if (link) { return "<a href=\"" + escape(link) + "\">report</a>"; }
    if (row[DUPLICATE] !== null) {
      return "same network as <a href=\"#c" + row[DUPLICATE] + "\">#" + row[DUPLICATE] + "</a>";
    }
    if (row[NOTE]) { return "<span class=\"note\" title=\"" + escape(row[ERROR]) + "\">" + escape(row[NOTE]) + "</span>"; }
    return "";
  }
  function render() {
    const start = page * PAGE, end = Math.min(n, start + PAGE);
    const html = [];
    for (let k = start; k < end; k++) {
      const pos = order[k], i = index[pos], row = rowOf(pos);
      const cells = row[VALUES].map(function (v, f) {
        return v === null ? "<td></td>" : "<td data-v=\"" + v + "\">" + escape(row[TEXTS][f]) + "</td>";
      });
      html.push("<tr id=\"c" + i + "\"><td data-v=\"" + i + "\">" + i + "</td><td>" + escape(row[STATUS]) +
                "</td><td>" + escape(row[PARAMS]) + "</td>" + cells.join("") + "<td>" + why(i, row) + "</td></tr>");
    }
    body.innerHTML = html.join("");
    document.getElementById("shown").textContent = n ? (start + 1).toLocaleString("en") + "–" +
      end.toLocaleString("en") + " of " + n.toLocaleString("en") : "no candidates";
    document.getElementById("prev").disabled = page === 0;
    document.getElementById("next").disabled = end >= n;
  }
  function sortKey(col) {
    if (col === "#") { return function (pos) { return index[pos]; }; }
    if (col === "status") { return function (pos) { return rowOf(pos)[STATUS]; }; }
    if (col === "params") { return function (pos) { return rowOf(pos)[PARAMS]; }; }
    if (col === "why") { return function (pos) { return rowOf(pos)[NOTE] || (rowOf(pos)[DUPLICATE] === null ? "" : "same network as #" + rowOf(pos)[DUPLICATE]); }; }
    const f = Number(col);
    return function (pos) { return rowOf(pos)[VALUES][f]; };
  }
  function sortBy(th) {
    const asc = !th.classList.contains("asc");
    table.querySelectorAll("th").forEach(function (h) { h.classList.remove("asc", "desc"); });
    th.classList.add(asc ? "asc" : "desc");
    const key = sortKey(th.dataset.col);
    const keys = new Array(n);
    for (let pos = 0; pos < n; pos++) { keys[pos] = key(pos); }
    order.sort(function (a, b) {  // missing values last either way; ties by index
      const x = keys[a], y = keys[b];
      if (x === null || y === null) { return x === y ? a - b : (x === null ? 1 : -1); }
      const d = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return (asc ? d : -d) || a - b;
    });
    page = 0;
    render();
  }
  function show(i) {  // the page holding candidate i, its row marked
    const pos = position(i);
    if (pos < 0) { return; }
    page = Math.floor(order.indexOf(pos) / PAGE);
    render();
    const tr = document.getElementById("c" + i);
    tr.classList.add("hit");
    tr.scrollIntoView({block: "center"});
  }
  table.querySelectorAll("th").forEach(function (th) { th.addEventListener("click", function () { sortBy(th); }); });
  document.getElementById("prev").addEventListener("click", function () { page -= 1; render(); });
  document.getElementById("next").addEventListener("click", function () { page += 1; render(); });
  document.addEventListener("click", function (e) {
    const a = e.target.closest && e.target.closest("a[href^='#c']");
    if (!a) { return; }
    e.preventDefault();
    history.replaceState(null, "", a.getAttribute("href"));
    show(Number(a.getAttribute("href").slice(2)));
  });
  render();
  const asked = /^#c(\d+)$/.exec(location.hash);
  if (asked) { show(Number(asked[1])); }

  // the scatter ----------------------------------------------------------------------------
  const svg = document.getElementById("scatter-plot");
  if (!svg || !data.pair) { return; }
  const NS = "http://www.w3.org/2000/svg";
  const W = svg.width.baseVal.value, H = svg.height.baseVal.value;
  const L = 64, R = 14, TOP = 14, B = 40;
  const ok = [];
  for (let pos = 0; pos < n; pos++) { if (rowOf(pos)[STATUS] === "ok") { ok.push(pos); } }

  function scale(values, lo, hi) {
    let min = Infinity, max = -Infinity;
    values.forEach(function (v) { min = Math.min(min, v); max = Math.max(max, v); });
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
  function dot(pos, x, y, cx, cy, front, more) {
    const i = index[pos], row = rowOf(pos);
    const c = el("circle", {cx: cx, cy: cy, r: front ? 4 : 3, class: front ? "front" : "dot"});
    c.appendChild(document.createElementNS(NS, "title")).textContent =
      "#" + i + " " + row[PARAMS] + "\n" + x + " " + row[VALUES][data.figures.indexOf(x)] + ", " + y +
      " " + row[VALUES][data.figures.indexOf(y)] + (more ? "\nand " + more + " more here" : "");
    c.addEventListener("click", function () { pick(i, row); });
  }
  function draw() {
    const x = document.getElementById("x").value, y = document.getElementById("y").value;
    const fx = data.figures.indexOf(x), fy = data.figures.indexOf(y);
    svg.textContent = "";
    const pts = ok.filter(function (pos) { const v = rowOf(pos)[VALUES]; return v[fx] !== null && v[fy] !== null; });
    el("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, class: "axis"});
    el("line", {x1: L, y1: TOP, x2: L, y2: H - B, class: "axis"});
    el("text", {x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle"}, x);
    el("text", {x: L + 6, y: TOP + 8}, y);
    if (!pts.length) { return; }
    const xs = pts.map(function (pos) { return rowOf(pos)[VALUES][fx]; });
    const ys = pts.map(function (pos) { return rowOf(pos)[VALUES][fy]; });
    const sx = scale(xs, L, W - R), sy = scale(ys, H - B, TOP);
    const lo = function (v) { return v.reduce(function (a, b) { return Math.min(a, b); }); };
    const hi = function (v) { return v.reduce(function (a, b) { return Math.max(a, b); }); };
    const num = function (v) { return Number(v.toPrecision(3)).toLocaleString("en"); };
    el("text", {x: L, y: H - B + 14, "text-anchor": "start", class: "tick"}, num(lo(xs)));
    el("text", {x: W - R, y: H - B + 14, "text-anchor": "end", class: "tick"}, num(hi(xs)));
    el("text", {x: L - 4, y: H - B, "text-anchor": "end", class: "tick"}, num(lo(ys)));
    el("text", {x: L - 4, y: TOP + 8, "text-anchor": "end", class: "tick"}, num(hi(ys)));
    const frontIndices = data.fronts[x + "|" + y] || [];
    const front = new Set(frontIndices);
    const cells = new Map();  // pixel cell -> [its first candidate's place, how many]
    pts.forEach(function (pos, k) {
      if (front.has(index[pos])) { return; }
      const key = Math.round(sx(xs[k]) / CELL) + "," + Math.round(sy(ys[k]) / CELL);
      const cell = cells.get(key);
      if (cell) { cell[1] += 1; } else { cells.set(key, [k, 1]); }
    });
    cells.forEach(function (cell) {
      dot(pts[cell[0]], x, y, sx(xs[cell[0]]), sy(ys[cell[0]]), false, cell[1] - 1);
    });
    const line = frontIndices.map(function (i) {
      const row = rowOf(position(i));
      const cx = sx(row[VALUES][fx]), cy = sy(row[VALUES][fy]);
      dot(position(i), x, y, cx, cy, true, 0);
      return cx + "," + cy;
    });
    el("polyline", {points: line.join(" "), class: "frontline"});
  }
  function pick(i, row) {
    const link = data.pages[String(i)];
    const out = document.getElementById("picked");
    out.textContent = "#" + i + " " + row[PARAMS] + " ";
    const a = document.createElement("a");
    a.href = link || "#c" + i;
    a.textContent = link ? "its report" : "its row";
    out.appendChild(a);
  }
  document.getElementById("x").addEventListener("change", draw);
  document.getElementById("y").addEventListener("change", draw);
  draw();
})();
