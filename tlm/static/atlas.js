// The atlas page's own script: draws each source's map with plotly, and answers
// the search box, the neighbours box and the analogy box from the vectors tlm atlas
// put in the page: the mapped words first, then the source's next most frequent
// words (every word of a small vocabulary), as int8 rows in base64 (each row's
// direction; the page makes it unit length again) and their lengths (float16).
"use strict";

const ATLAS = JSON.parse(document.getElementById("atlas-data").textContent);

// -- vectors ---------------------------------------------------------------------------------
// One IEEE half-precision number (the vectors' lengths are stored as float16).
function halfToFloat(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function bytesOf(b64) {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

// n int8 rows of dim numbers, each divided by its length: the unit vectors
// (tlm/atlas.py's `dequantize`).
function decodeVectors(b64, n, dim) {
  const all = new Int8Array(bytesOf(b64).buffer);
  const rows = [];
  for (let i = 0; i < n; i++) {
    const row = Float32Array.from(all.subarray(i * dim, (i + 1) * dim));
    const len = Math.sqrt(dot(row, row)) || 1;
    for (let j = 0; j < dim; j++) row[j] /= len;
    rows.push(row);
  }
  return rows;
}

for (const src of ATLAS.sources) {
  src.rows = decodeVectors(src.vectors, src.words.length, src.dim);
  src.norm = Array.from(new Uint16Array(bytesOf(src.norm).buffer), halfToFloat);
  src.index = new Map(src.words.map((w, i) => [w, i]));
}

// What a source's search looks through, said under every answer.
function searched(src) {
  const n = src.words.length.toLocaleString("en");
  const how = "8-bit vectors: each cosine within about 0.01 of tlm explore neighbors'";
  if (src.words.length >= src.vocabulary) return `searched all ${n} words of ${src.label} (${how})`;
  return `searched the ${n} most frequent words of ${src.label}'s `
    + `${src.vocabulary.toLocaleString("en")} (tlm explore neighbors searches them all; ${how})`;
}

// The word as the source spells it: as given, lower case, or capitalised (as tlm does).
function find(src, word) {
  const w = word.trim();
  const capitalised = w.charAt(0).toUpperCase() + w.slice(1).toLowerCase();
  for (const c of [w, w.toLowerCase(), capitalised]) {
    if (src.index.has(c)) return src.index.get(c);
  }
  return -1;
}

function dot(a, b) {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

// The k words of highest cosine with `query` (any vector), leaving out `skip` (row numbers).
function nearest(src, query, k, skip) {
  const q = query.slice();
  const len = Math.sqrt(dot(q, q)) || 1;
  for (let j = 0; j < q.length; j++) q[j] /= len;
  const scored = [];
  src.rows.forEach((row, i) => {
    if (!skip.includes(i)) scored.push([i, dot(row, q)]);
  });
  scored.sort((a, b) => b[1] - a[1]);
  return scored.slice(0, k);
}

// b - a + c on the raw vectors (each unit row times its length), a, b and c left out:
// the notebook's analogy, as tlm/vectors.py's `analogy` computes it.
function analogy(src, a, b, c) {
  const q = new Float32Array(src.dim);
  const raw = (i, j) => src.rows[i][j] * src.norm[i];
  for (let j = 0; j < src.dim; j++) q[j] = raw(b, j) - raw(a, j) + raw(c, j);
  return nearest(src, q, ATLAS.nearest, [a, b, c]);
}

// -- the maps --------------------------------------------------------------------------------
const CONFIG = { displaylogo: false, responsive: true, scrollZoom: true };

function colours(src, by) {
  if (by === "group") {
    return src.group.map((g) => (g >= 0 ? ATLAS.colours[g % ATLAS.colours.length] : ATLAS.other));
  }
  const rows = src.words.slice(0, src.mapped);
  return by === "rank" ? rows.map((_, i) => i) : src.norm.slice(0, src.mapped);
}

function colourBy(i, by) {
  const src = ATLAS.sources[i];
  const scale = by === "group" ? null : "Viridis";
  Plotly.restyle(`map-${i}`, {
    "marker.color": [colours(src, by)],
    "marker.colorscale": [scale],
    "marker.showscale": [by !== "group"],
    "marker.colorbar.title.text": [by === "rank" ? "rank" : "length"],
  }, [0]);
}

function text(tag, content, cls) {
  const el = document.createElement(tag);
  el.textContent = content;
  if (cls) el.className = cls;
  return el;
}

// The nearest words with their cosines, then where random pairs of the source stand
// (tlm explore background over its whole vocabulary): a score near their mean means little.
function scoreList(src, scored) {
  const box = document.createElement("div");
  const ol = document.createElement("ol");
  for (const [i, s] of scored) {
    const li = text("li", `${src.words[i]} `);
    li.dataset.word = src.words[i];
    li.appendChild(text("span", s.toFixed(3), "score"));
    ol.appendChild(li);
  }
  box.appendChild(ol);
  box.appendChild(text("p", searched(src), "baseline"));
  const bg = src.background;
  if (bg) {
    box.appendChild(text("p", `random pairs of ${src.label}: mean cosine ${bg.mean.toFixed(3)}, `
      + `99th percentile ${bg.p99.toFixed(3)}`, "baseline"));
  }
  return box;
}

// plotly reads its own markup in every text it draws (<a href>, <span style>, &#47;):
// a word or name from a file goes in with &, < and > as entities, so it shows as typed.
function plain(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function search(i, word) {
  const src = ATLAS.sources[i];
  const out = document.getElementById(`near-${i}`);
  out.replaceChildren();
  const row = word.trim() ? find(src, word) : -1;
  const clear = { x: [[], []], y: [[], []], text: [[], []] };
  if (row < 0) {
    Plotly.restyle(`map-${i}`, clear, [1, 2]);
    if (word.trim()) out.appendChild(text("p", `No '${word.trim()}': ${searched(src)}.`, "note"));
    return;
  }
  const near = nearest(src, src.rows[row], ATLAS.nearest, [row]);
  const xy = ATLAS.sources[i].figure.data[0];
  const onMap = (rows) => rows.filter((r) => r < src.mapped);  // the others have no place on it
  const pick = (rows, axis) => onMap(rows).map((r) => xy[axis][r]);
  const rows = near.map(([r]) => r);
  Plotly.restyle(`map-${i}`, {
    x: [pick(rows, "x"), pick([row], "x")],
    y: [pick(rows, "y"), pick([row], "y")],
    text: [onMap(rows).map((r) => plain(src.words[r])), onMap([row]).map((r) => plain(src.words[r]))],
  }, [1, 2]);
  const away = rows.length - onMap(rows).length;
  const where = [row < src.mapped ? "" : "it is not on the map",
    away ? `${away} of them not on the map` : ""].filter(Boolean).join("; ");
  out.appendChild(text("p", `nearest to '${src.words[row]}' (cosine, in all ${src.dim} `
    + `dimensions${where ? `; ${where}` : ""}):`));
  out.appendChild(scoreList(src, near));
}

// plotly keeps typed arrays as {dtype, bdata}; the search needs plain numbers.
function plainNumbers(trace) {
  for (const axis of ["x", "y"]) {
    const v = trace[axis];
    if (v && v.bdata !== undefined) {
      const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
      const Typed = { f8: Float64Array, f4: Float32Array }[v.dtype];
      trace[axis] = Array.from(new Typed(bytes.buffer));
    }
  }
}

function asText(s) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

ATLAS.sources.forEach((src, i) => {
  const words = src.figure.data[0];
  plainNumbers(words);
  words.text = src.words.slice(0, src.mapped).map((w, j) => {
    const g = src.group[j];
    return g >= 0 ? `${plain(w)}<br>${plain(ATLAS.groups[g])}` : plain(w);
  });
  words.marker.color = colours(src, "group");
  words.marker.size = src.group.map((g) => (g >= 0 ? 9 : 5));
  // the names written on the map: plotly reads its text as markup, so entities only
  src.figure.data[3].text = src.labelled.map((j) => asText(src.words[j]));
  Plotly.newPlot(`map-${i}`, src.figure.data, src.figure.layout, CONFIG);
});

document.querySelectorAll("input.search").forEach((box) => {
  box.addEventListener("input", () => search(Number(box.dataset.source), box.value));
});
document.querySelectorAll("select.colour-by").forEach((sel) => {
  sel.addEventListener("change", () => colourBy(Number(sel.dataset.source), sel.value));
});

// -- the neighbours and analogy boxes ---------------------------------------------------------
function answerColumn(src, title, make) {
  const col = document.createElement("div");
  col.className = "column";
  col.appendChild(text("h4", src.label));
  const result = make();
  if (typeof result === "string") col.appendChild(text("p", result, "note"));
  else {
    col.appendChild(text("p", title));
    col.appendChild(scoreList(src, result));
  }
  return col;
}

function missing(src, words) {
  const absent = words.filter((w) => find(src, w) < 0);
  return absent.length ? `no ${absent.map((w) => `'${w}'`).join(", ")}: ${searched(src)}` : "";
}

function ask(kind) {
  const out = document.getElementById(`${kind}-answer`);
  out.replaceChildren();
  if (kind === "neighbours") {
    const word = document.getElementById("neighbours-word").value.trim();
    if (!word) return;
    for (const src of ATLAS.sources) {
      out.appendChild(answerColumn(src, `nearest to '${word}'`, () => missing(src, [word])
        || nearest(src, src.rows[find(src, word)], ATLAS.nearest, [find(src, word)])));
    }
    return;
  }
  const words = ["a", "b", "c"].map((x) => document.getElementById(`analogy-${x}`).value.trim());
  if (words.some((w) => !w)) return;
  const [a, b, c] = words;
  for (const src of ATLAS.sources) {
    out.appendChild(answerColumn(src, `${b} - ${a} + ${c} =`, () => missing(src, words)
      || analogy(src, ...words.map((w) => find(src, w)))));
  }
}

document.getElementById("neighbours-word").addEventListener("input", () => ask("neighbours"));
for (const x of ["a", "b", "c"]) {
  document.getElementById(`analogy-${x}`).addEventListener("input", () => ask("analogy"));
}
ask("analogy");
