"use strict";
// resgraph report: level switch, pan and zoom, the node panel, search and source links
// (tables sort with sortable.js). Everything it shows is in #report-data, from resgraph.report.
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const viewport = document.getElementById("viewport");
  const panel = document.getElementById("panel");
  const views = {};
  let level = data.level;
  let selected = null;

  // levels, pan and zoom -----------------------------------------------------------------
  document.querySelectorAll(".level").forEach(function (div) {
    const name = div.dataset.level;
    const nodes = {};
    div.querySelectorAll("g.node, g.cluster").forEach(function (g) {
      const title = g.querySelector("title");
      const uid = title ? title.textContent.replace(/^cluster_/, "") : "";
      if (!(uid in data.units[name])) return;
      g.dataset.uid = uid;
      nodes[uid] = g;
      g.addEventListener("click", function (e) { e.stopPropagation(); e.preventDefault(); open(uid); });
    });
    views[name] = { div: div, nodes: nodes, x: 0, y: 0, k: 1, fitted: false };
  });

  function view() { return views[level]; }
  function apply(v) { v.div.style.transform = "translate(" + v.x + "px," + v.y + "px) scale(" + v.k + ")"; }

  // whole: the diagram entire in the frame; else its width, at a legible scale, from the top
  function fit(v, whole) {
    const svg = v.div.querySelector("svg");
    const w = svg.width.baseVal.value, h = svg.height.baseVal.value;
    const box = viewport.getBoundingClientRect();
    v.k = whole ? Math.min(1.5, box.width / w, box.height / h) : Math.min(1.2, box.width / w);
    v.x = Math.max(0, (box.width - w * v.k) / 2);
    v.y = whole ? Math.max(0, (box.height - h * v.k) / 2) : 8;
    v.fitted = true;
    apply(v);
  }

  function setLevel(name) {
    level = name;
    document.querySelectorAll(".level").forEach(function (d) { d.classList.toggle("on", d.dataset.level === name); });
    document.querySelectorAll(".level-button").forEach(function (b) { b.classList.toggle("on", b.dataset.level === name); });
    if (!view().fitted) fit(view());
  }

  function zoom(factor, cx, cy) {
    const v = view();
    const k = Math.min(8, Math.max(0.05, v.k * factor));
    v.x = cx - (cx - v.x) * k / v.k;
    v.y = cy - (cy - v.y) * k / v.k;
    v.k = k;
    apply(v);
  }

  function centre(g) {
    const v = view();
    const box = viewport.getBoundingClientRect(), r = g.getBoundingClientRect();
    v.x += box.left + box.width / 2 - (r.left + r.width / 2);
    v.y += box.top + box.height / 2 - (r.top + r.height / 2);
    apply(v);
  }

  document.querySelectorAll(".level-button").forEach(function (b) {
    b.addEventListener("click", function () { setLevel(b.dataset.level); });
  });
  document.getElementById("zoom-in").addEventListener("click", function () {
    const b = viewport.getBoundingClientRect(); zoom(1.25, b.width / 2, b.height / 2);
  });
  document.getElementById("zoom-out").addEventListener("click", function () {
    const b = viewport.getBoundingClientRect(); zoom(0.8, b.width / 2, b.height / 2);
  });
  document.getElementById("zoom-fit").addEventListener("click", function () { fit(view(), true); });
  viewport.addEventListener("wheel", function (e) {
    e.preventDefault();
    const b = viewport.getBoundingClientRect();
    zoom(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - b.left, e.clientY - b.top);
  }, { passive: false });
  let drag = null;
  viewport.addEventListener("mousedown", function (e) {
    drag = { x: e.clientX, y: e.clientY, vx: view().x, vy: view().y };
    viewport.classList.add("dragging");
  });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    const v = view();
    v.x = drag.vx + e.clientX - drag.x; v.y = drag.vy + e.clientY - drag.y;
    apply(v);
  });
  window.addEventListener("mouseup", function () { drag = null; viewport.classList.remove("dragging"); });

  // the panel ------------------------------------------------------------------------------
  function fmt(n) { return n === null || n === undefined ? "-" : n.toLocaleString("en-US"); }
  function bytes(n) {
    const units = [["GiB", 1073741824], ["MiB", 1048576], ["KiB", 1024]];
    for (const [u, s] of units) if (n >= s) return (n / s).toPrecision(3) + " " + u;
    return n + " B";
  }
  function row(dl, term, value) {
    const dt = document.createElement("dt"), dd = document.createElement("dd");
    dt.textContent = term; dd.textContent = value;
    dd.dataset.field = term;
    dl.append(dt, dd);
  }

  function open(uid) {
    const u = data.units[level][uid];
    if (!u) return;
    if (selected) selected.classList.remove("sel");
    selected = view().nodes[uid] || null;
    if (selected) selected.classList.add("sel");
    document.getElementById("panel-title").textContent = u.title;
    document.getElementById("panel-kind").textContent = u.kind + " at " + level + " level";
    const dl = document.getElementById("panel-fields");
    dl.replaceChildren();
    row(dl, "scope", uid);
    row(dl, "ops", u.ops);
    row(dl, "input", u.in.join(", ") || "-");
    row(dl, "output", u.out);
    row(dl, "MACs", fmt(u.macs));
    row(dl, "FLOPs", fmt(u.flops));
    row(dl, "params", fmt(u.params));
    row(dl, "activations", bytes(u.act));
    row(dl, "receptive field", u.rf || "-");
    if (u.ms !== null) row(dl, "TensorRT", u.ms.toFixed(4) + " ms");
    const lines = document.getElementById("panel-lines");
    lines.replaceChildren();
    if (u.lines.length) {
      const title = document.createElement("b");
      title.textContent = "spec lines";
      lines.append(title);
      let pre = null, file = -1;
      u.lines.slice(0, 16).forEach(function (fl) {
        if (fl[0] !== file) {
          file = fl[0];
          const name = document.createElement("div");
          name.className = "note"; name.textContent = data.files[file];
          pre = document.createElement("pre");
          lines.append(name, pre);
        }
        const src = document.getElementById("src-" + fl[0] + "-" + fl[1]);
        const a = document.createElement("a");
        a.href = "#src-" + fl[0] + "-" + fl[1]; a.textContent = String(fl[1]).padStart(4);
        pre.append(a, (src && src.childNodes[1] ? src.childNodes[1].textContent : "") + "\n");
      });
      if (u.lines.length > 16) {
        const more = document.createElement("div");
        more.className = "note"; more.textContent = (u.lines.length - 16) + " more lines";
        lines.append(more);
      }
    }
    panel.classList.add("open");
    panel.dataset.uid = uid;
  }
  panel.querySelector(".close").addEventListener("click", function () {
    panel.classList.remove("open");
    if (selected) selected.classList.remove("sel");
  });

  function go(name) {
    const target = data.search[name];
    if (!target) return false;
    setLevel(target[0]);
    open(target[1]);
    document.getElementById("diagram").scrollIntoView();
    if (view().nodes[target[1]]) centre(view().nodes[target[1]]);
    return true;
  }

  // search ---------------------------------------------------------------------------------
  const search = document.getElementById("search"), results = document.getElementById("search-results");
  const names = Object.keys(data.search);
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    const exact = names.filter(function (n) { return n.toLowerCase() === q; });
    const starts = names.filter(function (n) { const l = n.toLowerCase(); return l !== q && l.startsWith(q); });
    const inside = names.filter(function (n) { const l = n.toLowerCase(); return !l.startsWith(q) && l.includes(q); });
    return exact.concat(starts, inside).slice(0, 30);
  }
  search.addEventListener("input", function () {
    results.replaceChildren();
    matches(search.value).forEach(function (n, i) {
      const li = document.createElement("li");
      li.textContent = n;
      const where = document.createElement("small");
      where.textContent = data.search[n][0] + " level";
      li.append(where);
      li.dataset.name = n;
      if (i === 0) li.classList.add("on");
      li.addEventListener("mousedown", function (e) { e.preventDefault(); go(n); results.classList.remove("open"); });
      results.append(li);
    });
    results.classList.toggle("open", results.children.length > 0);
  });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      const first = results.querySelector("li.on");
      if (first) go(first.dataset.name);
      results.classList.remove("open");
    } else if (e.key === "Escape") {
      results.classList.remove("open");
    }
  });
  search.addEventListener("blur", function () { results.classList.remove("open"); });

  // the source, linked both ways -------------------------------------------------------------
  document.querySelectorAll(".source div.linked").forEach(function (line) {
    line.addEventListener("click", function () {
      const units = (data.links[level] || {})[line.dataset.key] || [];
      Object.values(view().nodes).forEach(function (g) { g.classList.toggle("sel", units.includes(g.dataset.uid)); });
      if (units.length) {
        open(units[0]);
        units.forEach(function (uid) { if (view().nodes[uid]) view().nodes[uid].classList.add("sel"); });
        document.getElementById("diagram").scrollIntoView();
        if (view().nodes[units[0]]) centre(view().nodes[units[0]]);
      }
    });
  });
  window.addEventListener("hashchange", function () {
    document.querySelectorAll(".source div.hit").forEach(function (d) { d.classList.remove("hit"); });
    const target = document.getElementById(location.hash.slice(1));
    if (target && target.parentElement.classList.contains("source")) {
      target.closest("details").open = true;
      target.classList.add("hit");
    }
  });
  document.querySelectorAll("tr.scope").forEach(function (tr) {
    tr.addEventListener("click", function () { go(tr.dataset.scope); });
  });

  setLevel(level);
})();
