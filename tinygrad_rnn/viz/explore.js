// The tape explorer's script (tinygrad_rnn/viz/explore_page.py inlines it into every page).
// Data: the JSON in #tape-data (one record per tape node, in forward order); drawings: the
// <template id="view-full|compact"> SVGs laid out by Graphviz dot, whose node groups carry
// data-node (tape index), edges data-src/data-dst, clusters data-scope.
(function () {
  "use strict";
  const D = JSON.parse(document.getElementById("tape-data").textContent);
  const N = D.nodes.length;
  const $ = (id) => document.getElementById(id);
  const S = { view: null, phase: "idle", cur: -1, sel: -1, selT: {}, folded: new Set(), zoom: 1, timer: null };
  let els = [], edges = [], clusters = [], svg = null, size = [1, 1];

  // -- what is known about each node ----------------------------------------------------------
  const repGroup = {}, repPos = {}, hAt = {}, users = D.nodes.map(() => []);
  D.groups.forEach((g, gi) => {
    S.selT[gi] = g.rep;
    g.reps.forEach((r, j) => { repGroup[r] = gi; repPos[r] = j; });
  });
  D.nodes.forEach((n, k) => {
    (n.in || []).forEach(([src]) => { if (src >= 0) users[src].push(k); });
    if (n.h) {
      const scope = n.s.split("/").slice(0, -1).join("/");
      (hAt[scope] = hAt[scope] || {})[n.t] = k;
    }
  });
  const rep = (k) => (S.view === "compact" && D.nodes[k].d !== undefined ? D.nodes[k].d : k);
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const inScope = (s, f) => s === f || s.startsWith(f + "/");
  const folded = (s) => { for (const f of S.folded) if (inScope(s, f)) return f; return null; };

  // -- views ----------------------------------------------------------------------------------
  function setView(name) {
    S.view = name;
    const pane = $("graph");
    pane.innerHTML = "";
    pane.appendChild($("view-" + name).content.cloneNode(true));
    svg = pane.querySelector("svg");
    size = [parseFloat(svg.getAttribute("width")), parseFloat(svg.getAttribute("height"))];
    els = Array.from(svg.querySelectorAll("g.node[data-node]"));
    els.forEach((el) => { el._rep = +el.dataset.node; el._ph = document.createComment("node"); });
    edges = Array.from(svg.querySelectorAll("g.edge"));
    edges.forEach((e) => { e._ph = document.createComment("edge"); });
    clusters = Array.from(svg.querySelectorAll("g.cluster"));
    clusters.forEach((c) => {
      c._ph = document.createComment("cluster");
      c.addEventListener("click", (ev) => {  // on the caption, or anywhere on a folded box
        if (ev.target.tagName !== "text" && !c.classList.contains("folded")) return;
        ev.stopPropagation();
        toggleFold(c.dataset.scope);
      });
    });
    els.forEach((el) => el.addEventListener("click", (ev) => { ev.stopPropagation(); select(+el.dataset.node); }));
    Array.from(svg.querySelectorAll("g.node[data-output]")).forEach((el) =>
      el.addEventListener("click", () => { const o = D.outputs[+el.dataset.output]; if (o.node >= 0) select(o.node); }));
    $("view-select").value = name;
    $("steps").hidden = name !== "compact";
    if (name === "compact") D.groups.forEach((g, gi) => pointGroup(gi));
    applyFolds();
    zoom(S.zoom);
    refresh();
  }

  // compact view: the drawn step of group gi stands for step selT[gi]
  function pointGroup(gi) {
    const g = D.groups[gi], i = g.steps.indexOf(S.selT[gi]);
    els.forEach((el) => {
      const j = repPos[el._rep];
      if (repGroup[el._rep] === gi && j !== undefined) el.dataset.node = g.at[i][j] >= 0 ? g.at[i][j] : el._rep;
    });
    const box = clusters.find((c) => c.dataset.scope === g.scope + "/t" + g.rep);
    const text = box && box.querySelector("text");
    if (text) text.textContent = `t = ${S.selT[gi]}   (1 of ${g.steps.length}: pick t in the toolbar)`;
    const input = $("step-" + gi);
    if (input) { input.value = S.selT[gi]; $("step-val-" + gi).textContent = S.selT[gi]; }
  }

  function setStep(gi, t) {
    S.selT[gi] = t;
    if (S.view === "compact") { pointGroup(gi); refresh(); }
  }

  // -- folding: a folded scope's nodes, edges and inner boxes leave the DOM ----------------
  function scopeOf(el) { return D.nodes[el._rep].s; }
  function edgeScope(e, end) {
    const v = e.dataset[end];
    return v.startsWith("o") ? "" : D.nodes[+v].s;
  }
  function applyFolds() {
    const show = (x, on) => { if (on && !x.isConnected) x._ph.replaceWith(x); if (!on && x.isConnected) x.replaceWith(x._ph); };
    els.forEach((el) => show(el, !folded(scopeOf(el))));
    edges.forEach((e) => show(e, !folded(edgeScope(e, "src")) && !folded(edgeScope(e, "dst"))));
    clusters.forEach((c) => {
      const f = folded(c.dataset.scope);
      show(c, !f || f === c.dataset.scope);
      c.classList.toggle("folded", f === c.dataset.scope);
      const old = c.querySelector("text.fold-note");
      if (old) old.remove();
      if (f === c.dataset.scope) {
        const n = els.filter((el) => inScope(scopeOf(el), f)).length;
        const label = c.querySelector("text");
        const note = document.createElementNS("http://www.w3.org/2000/svg", "text");
        note.setAttribute("class", "fold-note");
        note.setAttribute("x", label ? label.getAttribute("x") : 0);
        note.setAttribute("y", label ? +label.getAttribute("y") + 14 : 0);
        note.textContent = `folded: ${n} node${n === 1 ? "" : "s"} (click to unfold)`;
        c.appendChild(note);
      }
    });
    $("summary").textContent = summary();
  }
  function toggleFold(scope) {
    if (S.folded.has(scope)) S.folded.delete(scope); else S.folded.add(scope);
    applyFolds();
    refresh();
  }
  function foldSteps() {
    clusters.forEach((c) => { if (/^t\d+$/.test(c.dataset.scope.split("/").pop())) S.folded.add(c.dataset.scope); });
    applyFolds();
    refresh();
  }

  // -- stepping through the forward pass (order 0..N-1), then the backward pass (N-1..0) ----
  function go(phase, cur) {
    S.phase = phase;
    S.cur = cur;
    if (phase === "idle") { $("phase").textContent = "not stepping"; refresh(); return; }
    const pos = phase === "forward" ? cur + 1 : N - cur;
    $("phase").textContent = `${phase} ${pos} / ${N}: ${D.nodes[cur].op}`;
    focus(cur);
  }
  function next() {
    if (S.phase === "idle") go("forward", 0);
    else if (S.phase === "forward") go(S.cur < N - 1 ? "forward" : "backward", S.cur < N - 1 ? S.cur + 1 : N - 1);
    else if (S.cur > 0) go("backward", S.cur - 1);
    else play(false);
  }
  function prev() {
    if (S.phase === "backward") go(S.cur < N - 1 ? "backward" : "forward", S.cur < N - 1 ? S.cur + 1 : N - 1);
    else if (S.phase === "forward" && S.cur > 0) go("forward", S.cur - 1);
    else go("idle", -1);
  }
  function play(on) {
    if (S.timer) { clearInterval(S.timer); S.timer = null; }
    if (on) S.timer = setInterval(next, 350);
  }

  // make node k visible (its step shown, its box unfolded), highlight it, show it in the panel
  function focus(k) {
    const gi = repGroup[rep(k)], t = D.nodes[k].t;
    if (S.view === "compact" && gi !== undefined && S.selT[gi] !== t) { S.selT[gi] = t; pointGroup(gi); }
    const f = folded(D.nodes[rep(k)].s);
    if (f) { S.folded.delete(f); applyFolds(); }
    S.sel = k;
    refresh();
    panel(k);
    const el = els.find((e) => +e.dataset.node === k);
    if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  function select(k) { focus(k); }

  function refresh() {
    const fwd = S.phase === "forward", bwd = S.phase === "backward";
    els.forEach((el) => {
      const k = +el.dataset.node;
      el.classList.toggle("cur", k === S.cur);
      el.classList.toggle("sel", k === S.sel && k !== S.cur);
      el.classList.toggle("fdone", (fwd && k < S.cur) || bwd);
      el.classList.toggle("bdone", bwd && k > S.cur);
    });
    const r = S.cur >= 0 ? String(rep(S.cur)) : null;
    edges.forEach((e) => {
      const into = r !== null && e.dataset.dst === r;
      e.classList.toggle("flow", into && fwd);
      e.classList.toggle("gflow", into && bwd);
    });
  }

  // -- the side panel ------------------------------------------------------------------------
  const nodeLink = (k) => `<a href="#" data-goto="${k}">node ${k} ${esc(D.nodes[k].op)}</a>`;
  const text = (i) => (i >= 0 ? esc(D.texts[i]) : "not recorded");
  function where(n) {
    const parts = n.s ? n.s.split("/").map((p) => p.replace(/^l(\d+)(_reverse)?$/, (m, a, b) => `layer ${a}${b ? " (reverse)" : ""}`).replace(/^t(\d+)$/, "t = $1")) : ["outside any scope"];
    return parts.join(" / ");
  }
  function panel(k) {
    const n = D.nodes[k], rule = D.ops[n.op] || ["", ""];
    const h = [`<h2 id="panel-op">${esc(n.leaf !== undefined ? n.leaf || "leaf" : n.op)}</h2>`,
      `<div class="sub">node <b id="panel-node">${k}</b> of ${N} &middot; ${esc(where(n))}${n.h ? " &middot; this is h_t" : ""}</div>`,
      `<table class="rule"><tr><th>forward</th><td><code>${esc(rule[0])}</code></td></tr>`,
      `<tr><th>backward</th><td><code>${esc(rule[1])}</code></td></tr></table>`,
      `<div class="note">g = d loss / d y, the gradient arriving at the output y; da, db, ... = what the rule passes back to each input. loss = the sum of the page's outputs (${esc(D.outputs.map((o) => o.name).join(", "))}).</div>`];
    if (n.in) {
      h.push("<h3>inputs</h3><ul>");
      n.in.forEach(([src, idx, label], j) => h.push(`<li>${esc(label)} ${esc(n.ins[j])}: ${src >= 0 ? nodeLink(src) + (D.nodes[src].n_out > 1 ? ` output ${idx}` : "") : "a constant (no gradient)"}</li>`));
      h.push("</ul>");
    }
    if (users[k].length) h.push(`<h3>read by</h3><ul>${users[k].slice(0, 8).map((u) => `<li>${nodeLink(u)}</li>`).join("")}${users[k].length > 8 ? `<li>... ${users[k].length - 8} more</li>` : ""}</ul>`);
    n.out.forEach((shape, i) => {
      const name = n.n_out > 1 ? `y_${i}` : n.leaf !== undefined ? "leaf" : "y";
      h.push(`<h3>${name} ${esc(shape)}</h3><div class="lbl">value</div><pre class="value" data-out="${i}">${esc(n.v[i])}</pre>`);
      h.push(`<div class="lbl">gradient d loss / d ${name}${n.gn[i] !== null ? ` &middot; norm ${n.gn[i].toPrecision(4)}` : ""}</div>`);
      h.push(`<pre class="grad" data-out="${i}">${n.gd[i] === null ? (D.grads_known ? "none (no gradient reaches it)" : "unknown: the graph was freed by a backward") : esc(n.gd[i])}</pre>`);
    });
    if (n.n_out > n.out.length) h.push(`<div class="note">... ${n.n_out - n.out.length} more outputs</div>`);
    h.push("<h3>created at</h3>");
    if (n.src) h.push(`<div class="src">your line: <code>${text(n.src[0])}</code></div><div class="src">in tinygrad_rnn: <code>${text(n.src[1])}</code></div>`);
    else h.push('<div class="note">not recorded: build the graph inside <code>with viz.record_lines() as lines:</code> and pass <code>lines=lines</code></div>');
    $("panel").innerHTML = h.join("");
    $("panel").querySelectorAll("a[data-goto]").forEach((a) => a.addEventListener("click", (ev) => { ev.preventDefault(); select(+a.dataset.goto); }));
  }

  function summary() {
    const leaves = D.nodes.filter((n) => n.leaf !== undefined).length;
    const shown = svg ? svg.querySelectorAll("[data-node]").length : 0;
    return `${N} tape nodes (${N - leaves} ops, ${leaves} leaves) · ${shown} drawn in the ${S.view} view`;
  }

  // -- the plot of ||d loss / d h_t|| per t -------------------------------------------------
  function plot() {
    const C = D.curves.filter((c) => c.t.length);
    if (!C.length) { $("plot").innerHTML = '<div class="note">no time steps: no h_t to plot</div>'; return; }
    const W = 330, H = 190, L = 46, B = 28, colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"];
    const ys = C.flatMap((c) => c.norm.filter((v) => v > 0).map(Math.log10));
    const tmax = Math.max(1, ...C.flatMap((c) => c.t));
    let lo = Math.min(...ys), hi = Math.max(...ys);
    if (!isFinite(lo)) { lo = -1; hi = 1; }
    if (hi - lo < 1) { lo -= 0.5; hi += 0.5; }
    lo = Math.max(lo, hi - 16);  // vanished below 1e-16 of the largest: drawn on the floor
    const X = (t) => L + (t / tmax) * (W - L - 8), Y = (v) => 8 + (1 - (Math.log10(Math.max(v, Math.pow(10, lo))) - lo) / (hi - lo)) * (H - B - 8);
    const s = [`<svg id="plot-svg" width="${W}" height="${H + 16 * C.length}" viewBox="0 0 ${W} ${H + 16 * C.length}">`];
    const every = Math.max(1, Math.ceil((hi - lo) / 6));
    for (let e = Math.ceil(lo); e <= Math.floor(hi); e += every) s.push(`<line class="grid" x1="${L}" x2="${W - 8}" y1="${Y(10 ** e)}" y2="${Y(10 ** e)}"/><text class="tick" x="${L - 4}" y="${Y(10 ** e) + 3}" text-anchor="end">1e${e}</text>`);
    if (Math.floor(hi) - Math.ceil(lo) < 1) [lo, hi].forEach((e) => s.push(`<text class="tick" x="${L - 4}" y="${Y(10 ** e) + 3}" text-anchor="end">${(10 ** e).toPrecision(2)}</text>`));
    s.push(`<text class="tick" x="${L}" y="${H - 10}">t = 0</text><text class="tick" x="${W - 8}" y="${H - 10}" text-anchor="end">t = ${tmax}</text>`);
    s.push(`<text class="axis" x="${(L + W) / 2}" y="${H - 2}" text-anchor="middle">||d loss / d h_t|| per step t (log scale)</text>`);
    C.forEach((c, i) => {
      const pts = c.t.map((t, j) => `${X(t).toFixed(1)},${Y(c.norm[j]).toFixed(1)}`).join(" ");
      const col = colors[i % colors.length];
      s.push(`<polyline class="curve" data-label="${esc(c.label)}" points="${pts}" stroke="${col}"/>`);
      s.push(`<text class="key" x="${L}" y="${H + 12 + 16 * i}" fill="${col}">&#x2014; ${esc(c.label)}</text>`);
    });
    s.push("</svg>");
    $("plot").innerHTML = s.join("");
    $("plot-svg").addEventListener("click", (ev) => {  // jump to h_t of the first drawn group
      const r = ev.currentTarget.getBoundingClientRect(), t = Math.round(((ev.clientX - r.left - L) / (W - L - 8)) * tmax);
      const g = D.groups[0], k = g && hAt[g.scope] && hAt[g.scope][t];
      if (k !== undefined) select(k);
    });
  }

  // -- toolbar, keys, start -------------------------------------------------------------------
  function zoom(z) {
    S.zoom = Math.max(0.05, Math.min(z, 8));
    if (svg) { svg.setAttribute("width", size[0] * S.zoom + "pt"); svg.setAttribute("height", size[1] * S.zoom + "pt"); }
  }
  function fit() { zoom(Math.min(1, ($("graph").clientWidth - 10) / (size[0] * 4 / 3))); }

  function toolbar() {
    const sel = $("view-select");
    D.views.forEach((v) => { const o = document.createElement("option"); o.value = v; o.textContent = v; sel.appendChild(o); });
    if (!D.views.includes("full")) sel.title = `full view not laid out above ${D.full_max} tape nodes (explore(..., full_max=...))`;
    sel.addEventListener("change", () => setView(sel.value));
    $("steps").innerHTML = D.groups.map((g, gi) => `<label>${esc(g.scope)} t = <input type="range" id="step-${gi}" min="${g.steps[0]}" max="${g.steps[g.steps.length - 1]}" value="${g.rep}"> <b id="step-val-${gi}">${g.rep}</b></label>`).join(" ");
    D.groups.forEach((g, gi) => $("step-" + gi).addEventListener("input", (ev) => setStep(gi, +ev.target.value)));
    const on = (id, f) => $(id).addEventListener("click", f);
    on("btn-next", next); on("btn-prev", prev); on("btn-reset", () => { play(false); go("idle", -1); });
    on("btn-play", () => play(!S.timer));
    on("btn-forward", () => go("forward", 0)); on("btn-backward", () => go("backward", N - 1));
    on("btn-fold-steps", foldSteps); on("btn-unfold", () => { S.folded.clear(); applyFolds(); refresh(); });
    on("btn-zoom-in", () => zoom(S.zoom * 1.25)); on("btn-zoom-out", () => zoom(S.zoom / 1.25)); on("btn-fit", fit);
    document.addEventListener("keydown", (ev) => {
      if (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const keys = { ArrowRight: next, n: next, ArrowLeft: prev, p: prev, " ": () => play(!S.timer), Home: () => go("idle", -1),
        f: () => go("forward", 0), b: () => go("backward", N - 1), "+": () => zoom(S.zoom * 1.25), "-": () => zoom(S.zoom / 1.25), 0: fit };
      if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
    });
  }

  function legend() {
    $("legend").innerHTML = '<span class="sw op"></span>op (grad_fn) <span class="sw leaf"></span>leaf <span class="sw out"></span>output ' +
      '<span class="sw cur"></span>current <span class="sw fdone"></span>forward done <span class="sw bdone"></span>backward done<br>' +
      "blue edges: values flowing into the current op (forward); red: its gradient flowing back to its inputs. " +
      "Click a box's caption to fold or unfold it.";
  }

  toolbar();
  legend();
  plot();
  setView(D.start);
  window.explorer = { data: D, setView, setStep, toggleFold, foldSteps, select, next, prev, go, state: () => ({ view: S.view, phase: S.phase, cur: S.cur, sel: S.sel, folded: Array.from(S.folded) }) };
  window.explorerReadyMs = performance.now();
  document.body.dataset.ready = "1";
})();
