// The atlas's training movie (tlm/atlas_movie.py puts the data in the page): each
// model's aligned map frame by frame, its loss curves with the frame marked, and the
// nearest words of a picked word at that frame, with what changed since the frame before.
"use strict";

(() => {
  const MOVIES = JSON.parse(document.getElementById("movie-data").textContent);
  const CONFIG = { displaylogo: false, responsive: true, scrollZoom: true };

  function bytes(b64) {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }

  function text(tag, content, cls) {
    const el = document.createElement(tag);
    el.textContent = content;
    if (cls) el.className = cls;
    return el;
  }

  function setUp(m, i) {
    const F = m.frames, N = m.words.length;
    const q = new Uint16Array(bytes(m.xy.data).buffer); // (F, N, 2)
    const scale = [0, 1].map((a) => (m.xy.hi[a] - m.xy.lo[a]) / 65535);
    m.coord = (f, r, a) => m.xy.lo[a] + q[(f * N + r) * 2 + a] * scale[a];
    m.near = new Uint16Array(bytes(m.near).buffer); // (F, P, k)
    m.cos = bytes(m.cos); // (F, P, k)
    m.pickRow = new Map(m.pick.map((r, p) => [r, p]));
    m.index = new Map(m.words.map((w, r) => [w, r]));
    m.frame = F - 1;
    m.picked = -1;
    const pad = [0, 1].map((a) => 0.05 * (m.xy.hi[a] - m.xy.lo[a] || 1));
    const range = (a) => [m.xy.lo[a] - pad[a], m.xy.hi[a] + pad[a]];
    const colour = m.group.map((g) => (g >= 0 ? m.colours[g % m.colours.length] : m.other));
    const labels = new Set(m.labelled);
    const traces = [
      { // every word
        x: [], y: [], mode: "markers", type: "scatter", hoverinfo: "text",
        text: m.words.map((w, r) => (m.group[r] >= 0 ? `${w} (${m.groups[m.group[r]]})` : w)),
        marker: { color: colour, size: m.group.map((g) => (g >= 0 ? 9 : N > 30 ? 4 : 9)) },
      },
      { // the labelled words' names
        x: [], y: [], mode: "text", type: "scatter", hoverinfo: "skip",
        text: m.labelled.map((r) => m.words[r]), textposition: "top center",
        textfont: { size: 10 },
      },
      { // the picked word's nearest words
        x: [], y: [], mode: "markers+text", type: "scatter", text: [], hoverinfo: "text",
        textposition: "top center",
        marker: { color: "rgba(0,0,0,0)", size: 14, line: { color: "#d62728", width: 2 } },
      },
      { // the picked word
        x: [], y: [], mode: "markers+text", type: "scatter", text: [], hoverinfo: "text",
        textposition: "top center", textfont: { size: 14 },
        marker: { color: "#d62728", size: 14, symbol: "star" },
      },
    ];
    m.labelledRows = [...labels];
    const axes = m.explained.map((s, a) => `PCA axis ${a + 1} of the last frame (${(100 * s).toFixed(0)}%)`);
    Plotly.newPlot(`movie-map-${i}`, traces, {
      height: 520, showlegend: false, dragmode: "pan", hovermode: "closest",
      margin: { l: 40, r: 10, t: 30, b: 40 }, plot_bgcolor: "white",
      xaxis: { range: range(0), zeroline: false, title: { text: axes[0] } },
      yaxis: { range: range(1), zeroline: false, title: { text: axes[1] } },
    }, CONFIG);
    document.getElementById(`movie-map-${i}`).on("plotly_click", (ev) => {
      const pt = ev.points[0];
      if (pt.curveNumber === 0) pick(m, i, m.words[pt.pointNumber]);
    });

    const h = m.history;
    const curves = [
      { x: h.epoch, y: h.loss, name: "training loss (per epoch)", mode: "lines",
        line: { color: "#1f77b4" } },
      { x: m.at, y: m.loss, name: "training loss since the frame before", mode: "markers",
        marker: { color: "#1f77b4", size: 6 } },
    ];
    if (h.val_loss.some((v) => v !== null)) {
      curves.push({ x: h.epoch, y: h.val_loss, name: "held-out loss (per epoch)", mode: "lines",
        line: { color: "#ff7f0e" } });
    }
    if (m.val_loss.some((v) => v !== null)) {
      curves.push({ x: m.at, y: m.val_loss, mode: "markers", marker: { color: "#ff7f0e", size: 6 },
        name: `held-out loss, ${m.val_positions} positions (frames)` });
    }
    curves.push({ x: m.at, y: m.background, name: "random-pair cosine (right)", yaxis: "y2",
      mode: "lines+markers", line: { color: "#2ca02c", dash: "dot" }, marker: { size: 4 } });
    const last = m.at[F - 1] || 1;
    Plotly.newPlot(`movie-loss-${i}`, curves, {
      height: 520, margin: { l: 50, r: 60, t: 30, b: 40 }, plot_bgcolor: "white",
      legend: { orientation: "h", y: -0.15 },
      xaxis: { title: { text: "epoch" }, type: last >= 50 ? "log" : "linear", zeroline: false },
      yaxis: { title: { text: "loss" }, zeroline: false },
      yaxis2: { title: { text: "mean cosine of random pairs", standoff: 8 }, overlaying: "y",
        side: "right", tickformat: ".4~f", automargin: true,
        showgrid: false, zeroline: false },
      shapes: [],
    }, CONFIG);
    show(m, i, F - 1);
  }

  function show(m, i, f) {
    m.frame = f;
    const N = m.words.length;
    const xs = new Array(N), ys = new Array(N);
    for (let r = 0; r < N; r++) { xs[r] = m.coord(f, r, 0); ys[r] = m.coord(f, r, 1); }
    Plotly.restyle(`movie-map-${i}`, {
      x: [xs, m.labelledRows.map((r) => xs[r])], y: [ys, m.labelledRows.map((r) => ys[r])],
    }, [0, 1]);
    // log axis: a frame at epoch 0 is drawn at the left edge
    const at = m.at[f];
    const x = at > 0 || m.at[m.frames - 1] < 50 ? at : m.at[1] / 2;
    Plotly.relayout(`movie-loss-${i}`, { shapes: [{ type: "line", xref: "x", yref: "paper",
      x0: x, x1: x, y0: 0, y1: 1, line: { color: "#d62728", width: 2 } }] });
    const parts = [`frame ${f + 1} of ${m.frames}: epoch ${at.toFixed(2)}`];
    if (m.loss[f] !== null) parts.push(`training loss since the frame before ${m.loss[f].toFixed(3)}`);
    if (m.val_loss[f] !== null) parts.push(`held-out loss ${m.val_loss[f].toFixed(3)}`);
    if (m.background[f] !== null) parts.push(`random-pair cosine ${m.background[f].toFixed(3)}`);
    document.getElementById(`movie-at-${i}`).textContent = parts.join("; ");
    document.querySelector(`.movie-slider[data-movie="${i}"]`).value = f;
    if (m.picked >= 0) nearestBox(m, i);
  }

  function neighbours(m, f, p) {
    const out = [];
    for (let j = 0; j < m.k; j++) {
      const at = (f * m.pick.length + p) * m.k + j;
      out.push([m.near[at], m.cos[at] / 127 - 1]);
    }
    return out;
  }

  function nearestBox(m, i) {
    const box = document.getElementById(`movie-near-${i}`);
    box.replaceChildren();
    const r = m.picked, f = m.frame, p = m.pickRow.get(r);
    const now = neighbours(m, f, p);
    const before = f > 0 ? new Set(neighbours(m, f - 1, p).map(([n]) => n)) : null;
    const end = new Set(neighbours(m, m.frames - 1, p).map(([n]) => n));
    box.appendChild(text("p", `nearest to '${m.words[r]}' at frame ${f + 1} (cosine, in all `
      + "dimensions, among the movie's words; green: new since the frame before):"));
    const ol = document.createElement("ol");
    for (const [n, c] of now) {
      const li = text("li", `${m.words[n]} `, before && !before.has(n) ? "new" : "");
      li.appendChild(text("span", c.toFixed(2), "score"));
      if (end.has(n)) li.appendChild(text("span", " (still there at the end)", "score"));
      ol.appendChild(li);
    }
    box.appendChild(ol);
    if (before) {
      const nowSet = new Set(now.map(([n]) => n));
      const gone = [...before].filter((n) => !nowSet.has(n)).map((n) => m.words[n]);
      if (gone.length) {
        const line = text("p", "left since the frame before: ");
        line.appendChild(text("span", gone.join(", "), "gone"));
        box.appendChild(line);
      }
    }
    const rows = now.map(([n]) => n);
    const xy = (a, rs) => rs.map((q) => m.coord(f, q, a));
    Plotly.restyle(`movie-map-${i}`, {
      x: [xy(0, rows), xy(0, [r])], y: [xy(1, rows), xy(1, [r])],
      text: [rows.map((q) => m.words[q]), [m.words[r]]],
    }, [2, 3]);
  }

  function pick(m, i, word) {
    const w = word.trim().toLowerCase();
    const r = m.index.has(word.trim()) ? m.index.get(word.trim()) : m.index.get(w);
    const box = document.getElementById(`movie-near-${i}`);
    if (r === undefined || !m.pickRow.has(r)) {
      m.picked = -1;
      box.replaceChildren();
      Plotly.restyle(`movie-map-${i}`, { x: [[], []], y: [[], []], text: [[], []] }, [2, 3]);
      if (w) {
        box.appendChild(text("p", `'${word.trim()}' is not one of the ${m.pick.length} words `
          + "that can be picked (the most frequent and the group words).", "note"));
      }
      return;
    }
    m.picked = r;
    document.querySelector(`.movie-word[data-movie="${i}"]`).value = m.words[r];
    nearestBox(m, i);
  }

  MOVIES.forEach((m, i) => {
    setUp(m, i);
    const slider = document.querySelector(`.movie-slider[data-movie="${i}"]`);
    slider.addEventListener("input", () => show(m, i, Number(slider.value)));
    const word = document.querySelector(`.movie-word[data-movie="${i}"]`);
    word.addEventListener("input", () => pick(m, i, word.value));
    const button = document.querySelector(`.movie-play[data-movie="${i}"]`);
    let timer = null;
    button.addEventListener("click", () => {
      if (timer !== null) {
        clearInterval(timer);
        timer = null;
        button.textContent = "play";
        return;
      }
      button.textContent = "pause";
      if (m.frame === m.frames - 1) show(m, i, 0);
      timer = setInterval(() => {
        if (m.frame >= m.frames - 1) {
          clearInterval(timer);
          timer = null;
          button.textContent = "play";
          return;
        }
        show(m, i, m.frame + 1);
      }, 600);
    });
  });
})();
