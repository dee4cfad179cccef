// xxgk 年报审核: the list of reports, and one report's source beside its canonical tables.
// Plain browser JavaScript, no build step. The server does the arithmetic, the prose and the verdict
// (POST .../check) and says them in Chinese; this page only lays them out.
"use strict";

const $ = (selector) => document.querySelector(selector);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
};

// How often the list asks for the reports loaded since (while the server is still loading them).
const LOAD_POLL_MS = 400;

const state = {
  reports: [], view: [], selected: 0, words: {verdicts: {}, verdict_meanings: {}, kinds: {}},
  loading: null, pollTimer: null, listSeq: 0,
  filters: {search: "", issuer: "", year: "", verdict: "", reviewed: ""}, sort: {key: null, dir: 1},
  report: null, values: {}, year: null, issuer: "", accepted: new Set(), version: null,
  checks: [], badKeys: new Set(), printedKeys: new Set(), keys: [], grid: [], position: {}, current: null,
  cellEls: {}, markEls: {}, lineEls: {},
  dirty: false, leaveArmed: null, editing: null, checkSeq: 0,
};

// ------------------------------------------------------------------ helpers

class ApiError extends Error {
  constructor(message, status, data) { super(message); this.status = status; this.data = data; }
}

async function api(path, body) {
  const init = body === undefined ? {} :
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const resp = await fetch(path, init);
  const text = await resp.text();
  let data;
  try { data = JSON.parse(text); } catch (_) { data = {detail: text}; }
  if (!resp.ok) throw new ApiError(data.detail || resp.statusText, resp.status, data);
  return data;
}

function status(message, isError) {
  const node = $("#status");
  node.textContent = message;
  node.classList.toggle("error", !!isError);
}

const fmt = (v) => (v === null || v === undefined ? "" : String(v));
const same = (a, b) => (a ?? null) === (b ?? null);
const reportUrl = (name) => `/api/reports/${encodeURIComponent(name)}`;
const verdictWord = (v) => state.words.verdicts[v] || v || "";

function setBadge(node, verdict) {
  node.className = `badge v-${verdict}`;
  node.textContent = verdictWord(verdict);
  node.title = state.words.verdict_meanings[verdict] || "";
  node.dataset.verdict = verdict || "";
  return node;
}

const badge = (verdict) => setBadge(el("span"), verdict);

function keyLabel(key) {
  const cell = state.report && state.report.cells[key];
  if (!cell) return key;
  return cell.row_label === cell.column_label ? cell.row_label : `${cell.row_label} · ${cell.column_label}`;
}

function parseValue(text) {
  const s = text.trim()
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xFEE0))
    .replace(/[，,]/g, "").replace(/^＋/, "+").replace(/^[－—]/, "-").replace(/．/g, ".");
  if (s === "") return null;                      // the document does not carry this cell
  if (/^[+-]?\d+$/.test(s)) return parseInt(s, 10);
  if (/^[+-]?\d*\.\d+$/.test(s)) return parseFloat(s);
  return undefined;
}

// ------------------------------------------------------------------ list view

async function showList() {
  state.report = null;
  document.title = "xxgk 年报审核";
  $("#review-view").hidden = true;
  $("#list-view").hidden = false;
  const seq = ++state.listSeq;
  clearTimeout(state.pollTimer);
  const data = await api("/api/reports");
  if (seq !== state.listSeq) return;
  state.reports = data.reports;
  takeListData(data);
  renderList();
  if (!data.loading.finished) state.pollTimer = setTimeout(() => pollList(seq), LOAD_POLL_MS);
}

// While the server loads, ask only for the reports added since the last answer.
async function pollList(seq) {
  if (seq !== state.listSeq) return;
  let data;
  try {
    data = await api(`/api/reports?since=${state.reports.length}`);
  } catch (err) {
    status(`载入列表失败：${err.message}`, true);
    return;
  }
  if (seq !== state.listSeq) return;
  state.reports.push(...data.reports);
  takeListData(data);
  if (!state.report) renderList();
  if (!data.loading.finished) state.pollTimer = setTimeout(() => pollList(seq), LOAD_POLL_MS);
}

function takeListData(data) {
  state.words = data.words;
  state.loading = data.loading;
  const {done, total, finished} = data.loading;
  $("#progress").hidden = finished;
  $("#load-progress").max = Math.max(1, total);
  $("#load-progress").value = done;
  $("#load-text").textContent = `正在载入报告：${done} / ${total} 个文件，已列出 ${state.reports.length} 份`;
  const skipped = $("#skipped");
  skipped.textContent = "";
  for (const [items, title] of [[data.skipped, "跳过的文件"], [data.notices, "提示"]]) {
    if (!items.length) continue;
    skipped.append(el("div", "", `${title}（${items.length}）：`));
    const ul = el("ul");
    for (const s of items) ul.append(el("li", "", `${s.path}：${s.reason_zh}`));
    skipped.append(ul);
  }
  $("#crumb").textContent = `${state.reports.length} 份报告 · 审定记录存到 ${data.gold_dir} · 审核人 ${data.reviewer}`;
}

function fillSelect(select, values, label) {
  const keep = select.value;
  select.length = 1;
  for (const [value, count] of values) select.add(new Option(`${label(value)}（${count}）`, value));
  select.value = values.some(([v]) => v === keep) ? keep : "";
}

function counted(key) {
  const counts = new Map();
  for (const r of state.reports) {
    const value = fmt(r[key]);
    counts.set(value, (counts.get(value) || 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0], "zh"));
}

function passes(r) {
  const f = state.filters;
  if (f.issuer && fmt(r.issuer) !== f.issuer) return false;
  if (f.year && fmt(r.year) !== f.year) return false;
  if (f.verdict && r.verdict !== f.verdict) return false;
  if (f.reviewed && r.reviewed !== (f.reviewed === "yes")) return false;
  if (f.search) {
    const hay = `${r.name} ${r.issuer || ""} ${r.title || ""}`.toLowerCase();
    if (!f.search.toLowerCase().split(/\s+/).every((word) => hay.includes(word))) return false;
  }
  return true;
}

function compare(a, b, key) {
  const x = a[key], y = b[key];
  if (x === y) return 0;
  if (x === null || x === undefined || x === "") return 1;      // blanks last, whichever the direction
  if (y === null || y === undefined || y === "") return -1;
  if (typeof x === "number" && typeof y === "number") return x - y;
  if (typeof x === "boolean") return x ? 1 : -1;
  return String(x).localeCompare(String(y), "zh");
}

function renderList() {
  const selectedName = (state.view[state.selected] || {}).name;
  fillSelect($("#filter-issuer"), counted("issuer"), (v) => v || "（未识别）");
  fillSelect($("#filter-year"), counted("year"), (v) => v || "（未识别）");
  fillSelect($("#filter-verdict"), counted("verdict"), verdictWord);
  for (const key of Object.keys(state.filters)) {
    if (key !== "search" && key !== "reviewed") state.filters[key] = $(`#filter-${key}`).value;
  }
  let view = state.reports.filter(passes);
  const {key, dir} = state.sort;
  if (key) {
    view = view.slice().sort((a, b) => {
      const blank = (v) => v === null || v === undefined || v === "";
      if (blank(a[key]) !== blank(b[key])) return blank(a[key]) ? 1 : -1;
      return dir * compare(a, b, key) || a.name.localeCompare(b.name);
    });
  }
  state.view = view;
  document.querySelectorAll("#report-list thead th").forEach((th) => {
    th.setAttribute("aria-sort", th.dataset.sort === key ? (dir > 0 ? "ascending" : "descending") : "none");
  });
  const body = $("#report-list tbody");
  body.textContent = "";
  const fragment = document.createDocumentFragment();
  view.forEach((r, i) => {
    const tr = el("tr");
    tr.dataset.name = r.name;
    const verdict = el("td");
    verdict.append(badge(r.verdict));
    tr.append(el("td", "", r.name), el("td", "", r.issuer), el("td", "num", r.year), el("td", "", r.template),
      verdict, el("td", "num", r.unsure),
      el("td", "num", r.min_confidence === null ? "" : r.min_confidence.toFixed(2)),
      el("td", "num", r.failed_checks), el("td", "reviewed", r.reviewed ? "✓" : ""));
    tr.addEventListener("click", () => { state.selected = i; openSelected(); });
    fragment.append(tr);
  });
  body.append(fragment);
  $("#empty").hidden = view.length > 0 || state.reports.length === 0;
  $("#shown-count").textContent = `显示 ${view.length} / ${state.reports.length} 份`;
  const keep = view.findIndex((r) => r.name === selectedName);
  selectRow(keep >= 0 ? keep : Math.min(state.selected, view.length - 1));
}

function selectRow(i) {
  const rows = document.querySelectorAll("#report-list tbody tr");
  if (!rows.length) { state.selected = 0; return; }
  state.selected = Math.max(0, Math.min(rows.length - 1, i));
  rows.forEach((tr, j) => tr.classList.toggle("selected", j === state.selected));
  rows[state.selected].scrollIntoView({block: "nearest"});
}

function openSelected() {
  const r = state.view[state.selected];
  if (r) location.hash = `#/r/${encodeURIComponent(r.name)}`;
}

function listKey(ev) {
  const moves = {ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: 10, PageUp: -10};
  if (ev.key in moves) selectRow(state.selected + moves[ev.key]);
  else if (ev.key === "Home") selectRow(0);
  else if (ev.key === "End") selectRow(state.view.length - 1);
  else if (ev.key === "Enter") openSelected();
  else if (ev.key === "/") $("#search").focus();
  else return;
  ev.preventDefault();
}

function setSort(key) {
  state.sort = state.sort.key === key ? {key, dir: -state.sort.dir} : {key, dir: 1};
  renderList();
}

document.querySelectorAll("#report-list thead th").forEach((th) => {
  th.addEventListener("click", () => setSort(th.dataset.sort));
});
$("#search").addEventListener("input", () => { state.filters.search = $("#search").value.trim(); renderList(); });
$("#search").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" || ev.key === "ArrowDown" || ev.key === "Escape") { ev.preventDefault(); $("#search").blur(); }
});
for (const key of ["issuer", "year", "verdict", "reviewed"]) {
  $(`#filter-${key}`).addEventListener("change", () => { state.filters[key] = $(`#filter-${key}`).value; renderList(); });
}
$("#clear-filters").addEventListener("click", () => {
  for (const key of Object.keys(state.filters)) state.filters[key] = "";
  $("#search").value = "";
  document.querySelectorAll("#list-tools select").forEach((s) => { s.value = ""; });
  renderList();
});

// ------------------------------------------------------------------ review view

async function openReport(name) {
  clearTimeout(state.pollTimer);
  state.listSeq++;
  if (!state.reports.length) {
    const data = await api("/api/reports");
    state.reports = data.reports;
    state.words = data.words;
    state.view = state.reports.filter(passes);
  }
  const r = await api(reportUrl(name));
  state.report = r;
  state.values = {...r.current.fields};
  state.year = r.current.year;
  state.issuer = r.current.issuer || "";
  state.version = r.version;
  state.accepted = new Set();
  state.dirty = false;
  state.leaveArmed = null;
  document.title = `${r.name} · xxgk 年报审核`;
  $("#crumb").textContent = `${r.name} · ${r.title || ""}`;
  $("#issuer").value = state.issuer;
  $("#year").value = fmt(state.year);
  $("#template").textContent = `${r.template} 年版模板`;
  renderSource(r);
  renderTables(r.layout);
  $("#list-view").hidden = true;
  $("#review-view").hidden = false;
  takeState(r.state);
  const first = flaggedKeys()[0] || state.keys[0];
  focusCell(first);
  status(r.gold ? "已有审定记录：显示的是保存过的值" :
    (flaggedKeys().length ? "按 n 到下一个待核对单元格" : "没有待核对的单元格；按 s 保存"));
}

function resetOriginal() {
  // A frame keeps its page until told otherwise: each report starts on its text, with no page loaded.
  const frame = $("#original");
  frame.removeAttribute("src");
  frame.hidden = true;
  $("#source").hidden = false;
}

function renderSource(r) {
  resetOriginal();
  const root = $("#source");
  root.textContent = "";
  state.markEls = {};
  state.lineEls = {};
  const src = r.source;
  const head = $("#source-head");
  head.textContent = `${src.path || "（无原文路径）"} · ${src.reader_zh || ""}` +
    (src.changed ? " · 原文在抽取后改过，行号可能不准" : "") +
    (src.reader === "html" && src.found ? " · 按 v 看原始网页" : "");
  for (const problem of r.problems) head.append(el("div", "problem", problem));
  if (!r.lines) {
    root.append(el("p", "muted", "没有可显示的原文，只能核对表格。"));
    return;
  }
  const byLine = {};
  for (const [key, [line, start, end]] of Object.entries(r.spans)) (byLine[line] ||= []).push({key, start, end});
  const fragment = document.createDocumentFragment();
  r.lines.forEach((text, i) => {
    const number = i + 1;
    const row = el("div", "src-line");
    row.id = `L${number}`;
    const tx = el("span", "tx");
    row.append(el("span", "no", number), tx);
    const spans = (byLine[number] || []).sort((a, b) => a.start - b.start || a.end - b.end);
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;            // overlapping: the first cell keeps the place
      tx.append(text.slice(at, span.start));
      const mark = el("mark", "cell", text.slice(span.start, span.end) || " ");
      mark.dataset.key = span.key;
      mark.addEventListener("click", () => focusCell(span.key));
      state.markEls[span.key] = mark;
      tx.append(mark);
      at = span.end;
    }
    tx.append(text.slice(at) || (at === 0 ? " " : ""));
    if (spans.length) row.classList.add("has-cell");
    state.lineEls[number] = row;
    fragment.append(row);
  });
  root.append(fragment);
}

function renderTables(layout) {
  const root = $("#tables");
  root.textContent = "";
  state.grid = [];
  state.keys = [];
  state.position = {};
  state.cellEls = {};
  state.current = null;                 // a key of the last report may not be one of this report's template
  for (const table of layout) {
    root.append(el("h3", "", table.title));
    // One HTML table per block, its header rows in a sticky <thead>.
    for (const block of table.blocks) {
      const node = el("table", "canon");
      node.dataset.table = table.name;
      const head = node.createTHead();
      for (const cells of block.head) {
        if (!cells.length) continue;
        const tr = head.insertRow();
        for (const h of cells) {
          const th = el("th", "head", h.text);
          if (h.colspan) th.colSpan = h.colspan;
          if (h.rowspan) th.rowSpan = h.rowspan;
          tr.append(th);
        }
      }
      const body = node.createTBody();
      for (const row of block.rows) {
        const tr = body.insertRow();
        if (row.label !== null) tr.append(el("th", "label", row.label));
        const gridRow = [];
        for (const key of row.keys) {
          const td = el("td", "cell");
          td.dataset.key = key;
          td.addEventListener("click", () => focusCell(key));
          td.addEventListener("dblclick", () => edit(key, null));
          tr.append(td);
          state.cellEls[key] = td;
          state.position[key] = [state.grid.length, gridRow.length];
          gridRow.push(key);
          state.keys.push(key);
        }
        state.grid.push(gridRow);
      }
      root.append(node);
    }
  }
}

function isEdited(key) {
  return !same(state.values[key], state.report.extracted.fields[key]);
}

// A cell to look at: read with low confidence and not yet corrected, or the printed total of a failing
// check (one stop per check, not one per cell it names); accepting it confirms it as printed.
function isFlagged(key) {
  if (state.accepted.has(key)) return false;
  const cell = state.report.cells[key];
  return (cell.unsure && !isEdited(key)) || state.printedKeys.has(key);
}

const flaggedKeys = () => state.keys.filter(isFlagged);

function renderCell(key) {
  const td = state.cellEls[key];
  if (!td || td.querySelector("input")) return;
  const cell = state.report.cells[key];
  const value = state.values[key];
  td.textContent = value === null || value === undefined ? "∅" : String(value);
  const edited = isEdited(key);
  td.classList.toggle("null", value === null || value === undefined);
  td.classList.toggle("blank-kind", !edited && (cell.kind === "blank" || cell.kind === "na"));
  td.classList.toggle("unsure", !!cell.unsure && !edited);
  td.classList.toggle("bad", state.badKeys.has(key));
  td.classList.toggle("printed", state.printedKeys.has(key));
  td.classList.toggle("edited", edited);
  td.classList.toggle("accepted", state.accepted.has(key));
  td.classList.toggle("stand-in", !!cell.stand_in);
  td.classList.toggle("current", key === state.current);
  td.title = `${cell.row_label} / ${cell.column_label}\n原文「${cell.raw ?? ""}」 ${cell.kind_zh || ""}` +
    (typeof cell.confidence === "number" ? ` 置信度 ${cell.confidence}` : "");
  const mark = state.markEls[key];
  if (mark) {
    mark.classList.toggle("unsure", !!cell.unsure && !edited);
    mark.classList.toggle("bad", state.badKeys.has(key));
  }
}

// The server's assessment of the values on the page: checks, repairs, verdict.
function takeState(assessed) {
  state.assessed = assessed;
  state.checks = assessed.checks;
  const failing = state.checks.filter((c) => c.ok === false);
  state.badKeys = new Set(failing.flatMap((c) => c.cells));
  state.printedKeys = new Set(failing.map((c) => c.printed_cells[0]));
  refresh();
}

function refresh() {
  const r = state.report;
  state.keys.forEach(renderCell);
  setBadge($("#verdict"), state.assessed.verdict);
  $("#verdict-then").textContent = state.assessed.verdict !== r.extracted.verdict ?
    `（抽取时：${verdictWord(r.extracted.verdict)}）` : "";
  renderChecks();
  renderCounts();
  renderCellInfo();
  $("#issuer").classList.toggle("changed", state.issuer !== (r.extracted.issuer || ""));
  $("#year").classList.toggle("changed", !same(state.year, r.extracted.year));
  updateListEntry({verdict: state.assessed.verdict, failed_checks: state.assessed.failed_checks});
}

// The list row of the open report follows what the page shows (a save makes it the server's again).
function updateListEntry(changes) {
  const entry = state.reports.find((x) => x.name === state.report.name);
  if (entry) Object.assign(entry, changes);
}

function renderCounts() {
  const edited = state.keys.filter(isEdited).length;
  const failed = state.checks.filter((c) => c.ok === false).length;
  $("#counts").textContent = `待核对 ${flaggedKeys().length} · 已确认 ${state.accepted.size} · 已更正 ${edited}` +
    ` · 勾稽关系不成立 ${failed}` + (state.dirty ? " · 未保存" : "");
  $("#counts").dataset.failed = failed;
}

function checkItem(c, className, text, cell) {
  const li = el("li", className, text);
  li.dataset.rule = c.rule;
  if (cell) {
    li.dataset.cell = cell;
    li.addEventListener("click", () => focusCell(cell));
  }
  return li;
}

function renderChecks() {
  const root = $("#checks");
  root.textContent = "";
  const a = state.assessed;
  const failing = state.checks.filter((c) => c.ok === false);
  const unknown = state.checks.filter((c) => c.ok === null);
  const passed = state.checks.length - failing.length - unknown.length;
  root.append(el("h4", "", `勾稽关系：不成立 ${failing.length} · 无法核验 ${unknown.length} · 成立 ${passed}`));
  const list = el("ul");
  list.id = "arith-checks";
  for (const c of [...failing, ...unknown]) {
    list.append(checkItem(c, c.ok === false ? "fail" : "unknown", `${c.title} —— ${c.outcome}`, c.printed_cells[0]));
  }
  root.append(list);
  const repairs = Object.entries(a.repairs || {});
  if (repairs.length) {
    root.append(el("h4", "", "算术给出的修复建议（不写入审定记录：审定记录照录印出的数）"));
    const ul = el("ul");
    for (const [key, rep] of repairs) {
      const li = el("li", "", `「${keyLabel(key)}」：印为 ${fmt(rep.printed) || "（无法辨认）"}，算得 ${rep.value}（${rep.reason_zh}）`);
      li.dataset.cell = key;
      li.addEventListener("click", () => focusCell(key));
      ul.append(li);
    }
    root.append(ul);
  }
  if ((a.candidates || []).length) {
    root.append(el("h4", "", "算术无法确定的地方"));
    const ul = el("ul");
    for (const c of a.candidates) {
      const li = el("li", "unknown", `${c.cells.slice(0, 3).map((k) => `「${keyLabel(k)}」`).join("、")}` +
        `${c.cells.length > 3 ? ` 等 ${c.cells.length} 格` : ""}：${c.reason_zh}`);
      li.dataset.cell = c.cells[0];
      li.addEventListener("click", () => focusCell(c.cells[0]));
      ul.append(li);
    }
    root.append(ul);
  }
  const prose = a.other_checks.filter((c) => c.kind === "prose");
  const others = a.other_checks.filter((c) => c.kind !== "prose");
  if (prose.length) {
    const bad = prose.filter((c) => c.ok === false).length;
    const when = a.prose_rechecked ? "" : "（抽取时；原文不可读，未按更正重新比较）";
    root.append(el("h4", "", `正文与表格${when}：不一致 ${bad} · 一致 ${prose.filter((c) => c.ok).length}`));
    const ul = el("ul");
    ul.id = "prose-checks";
    for (const c of prose) {
      const mark = c.ok === false ? "✗" : (c.ok ? "✓" : "?");
      const li = checkItem(c, c.ok === false ? "fail" : (c.ok === null ? "unknown" : ""),
        `${mark} ${c.title}：${c.outcome}${c.note_zh ? `（${c.note_zh}）` : ""}`, (c.cells || [])[0]);
      li.title = c.text || "";
      ul.append(li);
    }
    root.append(ul);
  }
  if (others.length) {
    root.append(el("h4", "", "其他核验（抽取时）"));
    const ul = el("ul");
    for (const c of others) {
      ul.append(checkItem(c, c.ok === false ? "fail" : "", `${c.kind_zh}：${c.title} ${c.outcome}` +
        (c.note_zh ? `（${c.note_zh}）` : "")));
    }
    root.append(ul);
  }
  const r = state.report;
  if (Array.isArray(r.narrative) && r.narrative.length) {
    root.append(el("h4", "", "正文中的其他数字（表格中没有）"));
    const ul = el("ul");
    for (const n of r.narrative) {
      const li = el("li", "", n && n.label !== undefined ?
        `${n.label} ${n.value ?? ""}${n.unit || ""}${n.approximate ? "（约数）" : ""}` : "");
      li.title = (n && n.text) || "";
      ul.append(li);
    }
    root.append(ul);
  }
  if (r.warnings.length) {
    root.append(el("h4", "", "提示"));
    const ul = el("ul");
    ul.id = "warnings";
    r.warnings.forEach((w) => ul.append(el("li", "", w)));
    root.append(ul);
  }
}

function renderCellInfo() {
  const root = $("#cell-info");
  root.textContent = "";
  const key = state.current;
  if (!key) return;
  const cell = state.report.cells[key];
  const head = el("div", "", `${cell.row_label} / ${cell.column_label}`);
  head.title = key;
  const line = cell.line ? `第 ${cell.line} 行` : "原文中未找到";
  const conf = typeof cell.confidence === "number" ? cell.confidence.toFixed(2) : "";
  const extracted = fmt(state.report.extracted.fields[key]) || "∅";
  const read = el("div", "", `原文「${cell.raw ?? ""}」 · ${cell.kind_zh || ""} · 置信度 ${conf} · ${line} · 抽取值 ${extracted}` +
    (isEdited(key) ? ` → 更正为 ${fmt(state.values[key]) || "∅"}` : "") + (state.accepted.has(key) ? " · 已确认" : "") +
    (cell.stand_in ? " · 由单行“（六）其他处理”代表" : "") + (cell.note_zh ? ` · ${cell.note_zh}` : ""));
  root.append(head, read);
  for (const c of state.checks.filter((x) => x.ok === false && x.cells.includes(key))) {
    root.append(el("div", "", `✗ ${c.title} —— ${c.outcome}`));
  }
  for (const c of state.assessed.other_checks.filter((x) => x.ok === false && (x.cells || []).includes(key))) {
    root.append(el("div", "", `✗ ${c.title}：${c.outcome}「${c.text || ""}」`));
  }
}

function focusCell(key) {
  if (!key || !state.cellEls[key]) return;
  const previous = state.current;
  state.current = key;
  if (previous && state.cellEls[previous]) {
    state.cellEls[previous].classList.remove("current");
    state.markEls[previous]?.classList.remove("current");
  }
  document.querySelectorAll(".src-line.focus").forEach((n) => n.classList.remove("focus"));
  const td = state.cellEls[key];
  td.classList.add("current");
  renderCellInfo();                    // first: its height changes the tables' pane, then the cell is scrolled to
  td.scrollIntoView({block: "nearest", inline: "nearest"});
  const cell = state.report.cells[key];
  const mark = state.markEls[key];
  const lineEl = state.lineEls[cell.line];
  if (lineEl) lineEl.classList.add("focus");
  if (mark) {
    mark.classList.add("current");
    mark.scrollIntoView({block: "center", inline: "nearest"});
  } else if (lineEl) {
    lineEl.scrollIntoView({block: "center"});
  }
}

function move(dRow, dCol) {
  const [row, col] = state.position[state.current] || [0, 0];
  const r = Math.max(0, Math.min(state.grid.length - 1, row + dRow));
  let c = col + dCol;
  if (dCol && (c < 0 || c >= state.grid[r].length)) {      // wrap to the neighbouring row
    const next = r + Math.sign(dCol);
    if (next < 0 || next >= state.grid.length) return;
    focusCell(dCol > 0 ? state.grid[next][0] : state.grid[next][state.grid[next].length - 1]);
    return;
  }
  c = Math.max(0, Math.min(state.grid[r].length - 1, c));
  focusCell(state.grid[r][c]);
}

function nextFlagged(step) {
  const flagged = new Set(flaggedKeys());
  if (!flagged.size) { status("没有待核对的单元格；按 s 保存"); return; }
  const n = state.keys.length;
  let i = state.keys.indexOf(state.current);
  for (let k = 0; k < n; k++) {
    i = (i + step + n) % n;
    if (flagged.has(state.keys[i])) { focusCell(state.keys[i]); return; }
  }
}

function markDirty() {
  state.dirty = true;
  state.leaveArmed = null;
}

function accept() {
  state.accepted.add(state.current);
  markDirty();
  refresh();
  nextFlagged(1);
  recheck();                          // a confirmed unreadable cell no longer makes the report incomplete
}

async function setValue(key, value) {
  state.values[key] = value;
  state.accepted.delete(key);
  markDirty();
  renderCell(key);
  await recheck();
}

async function recheck() {
  const seq = ++state.checkSeq;
  const name = state.report.name;
  try {
    const data = await api(`${reportUrl(name)}/check`, {fields: state.values, accepted: [...state.accepted]});
    if (seq !== state.checkSeq || !state.report || state.report.name !== name) return;
    takeState(data);
    document.body.dataset.checked = String(seq);
  } catch (err) {
    status(`核验失败：${err.message}`, true);
  }
}

function edit(key, initial) {
  if (!key || state.editing) return;
  focusCell(key);
  const td = state.cellEls[key];
  const input = el("input");
  input.value = initial === null ? fmt(state.values[key]) : initial;
  td.textContent = "";
  td.append(input);
  input.focus();
  if (initial === null) input.select();
  else input.setSelectionRange(input.value.length, input.value.length);
  let done = false;
  const finish = () => { done = true; state.editing = null; input.remove(); renderCell(key); };
  const commit = () => {
    const value = parseValue(input.value);
    if (value === undefined) {
      input.classList.add("invalid");
      status(`「${input.value}」不是数字（留空表示文中没有此格）`, true);
      return false;
    }
    finish();
    status("");
    if (!same(value, state.values[key])) setValue(key, value);
    return true;
  };
  state.editing = {key, commit};
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" || ev.key === "Tab") { ev.preventDefault(); commit(); }
    else if (ev.key === "Escape") { ev.preventDefault(); finish(); }
  });
  input.addEventListener("blur", () => { if (!done) finish(); });
}

async function save() {
  if (state.editing && !state.editing.commit()) return;
  const r = state.report;
  try {
    const data = await api(`${reportUrl(r.name)}/gold`, {
      fields: state.values, year: state.year, issuer: state.issuer, accepted: [...state.accepted],
      made_from: state.version,
    });
    state.dirty = false;
    state.version = data.version;
    const i = state.reports.findIndex((x) => x.name === r.name);
    if (i >= 0) state.reports[i] = data.summary;
    renderCounts();
    status(`已保存 ${data.gold}（与抽取值不同 ${data.changes.length} 处）`);
    document.body.dataset.saved = data.gold;
  } catch (err) {
    status(`保存失败：${err.message}`, true);
    if (err.status === 409) document.body.dataset.stale = String(err.data.stale.version);
  }
}

function leave(action, run) {
  if (state.dirty && state.leaveArmed !== action) {
    state.leaveArmed = action;
    status("有未保存的更正：再按一次放弃，或按 s 保存", true);
    return;
  }
  state.dirty = false;
  run();
}

function neighbour(step) {
  // The list as it is shown (filtered and sorted); the whole list if this report is filtered out.
  let order = state.view.length ? state.view : state.reports;
  if (!order.some((x) => x.name === state.report.name)) order = state.reports;
  const i = order.findIndex((x) => x.name === state.report.name) + step;
  if (i < 0 || i >= order.length) { status(step > 0 ? "已是最后一份" : "已是第一份"); return; }
  leave(`go${step}`, () => { location.hash = `#/r/${encodeURIComponent(order[i].name)}`; });
}

function toggleOriginal() {
  const r = state.report;
  if (r.source.reader !== "html" || !r.source.found) { status("原文就是这份文本"); return; }
  const frame = $("#original");
  const showFrame = frame.hidden;
  const url = `${reportUrl(r.name)}/original`;
  if (showFrame && frame.getAttribute("src") !== url) frame.src = url;
  frame.hidden = !showFrame;
  $("#source").hidden = showFrame;
}

function metaInput(input, apply) {
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); input.blur(); }
    else if (ev.key === "Escape") { ev.preventDefault(); input.dataset.cancel = "1"; input.blur(); }
  });
  input.addEventListener("blur", () => {
    if (input.dataset.cancel) { delete input.dataset.cancel; apply(null, true); return; }
    apply(input.value.trim(), false);
  });
}

metaInput($("#issuer"), (value, cancel) => {
  if (cancel) { $("#issuer").value = state.issuer; return; }
  if (value !== state.issuer) { state.issuer = value; markDirty(); refresh(); }
});

metaInput($("#year"), (value, cancel) => {
  const year = value === "" ? null : parseValue(value ?? "");
  if (cancel || (year !== null && !Number.isInteger(year))) {
    if (!cancel) status(`「${value}」不是年份`, true);
    $("#year").value = fmt(state.year);
    return;
  }
  if (!same(year, state.year)) { state.year = year; markDirty(); refresh(); }
});

function reviewKey(ev) {
  const key = ev.key;
  const moves = {ArrowLeft: [0, -1], h: [0, -1], ArrowRight: [0, 1], l: [0, 1],
                 ArrowUp: [-1, 0], k: [-1, 0], ArrowDown: [1, 0], j: [1, 0]};
  if (key in moves) move(...moves[key]);
  else if (key === "n") nextFlagged(1);
  else if (key === "p" || key === "N") nextFlagged(-1);
  else if (key === "a") accept();
  else if (key === "Enter" || key === "F2") edit(state.current, null);
  else if (/^[0-9.+-]$/.test(key)) edit(state.current, key);
  else if (key === "Backspace" || key === "Delete") edit(state.current, "");
  else if (key === "r") { const k = state.current; setValue(k, state.report.extracted.fields[k]); }
  else if (key === "R") leave("reload", () => route());
  else if (key === "s") save();
  else if (key === "]") neighbour(1);
  else if (key === "[") neighbour(-1);
  else if (key === "i") $("#issuer").focus();
  else if (key === "y") $("#year").focus();
  else if (key === "v") toggleOriginal();
  else if (key === "Escape") leave("list", () => { location.hash = "#/"; });
  else return;
  ev.preventDefault();
}

function toggleHelp(show) {
  $("#help").hidden = !show;
}

document.addEventListener("keydown", (ev) => {
  if (!$("#help").hidden) {
    if (ev.key === "Escape" || ev.key === "?") { toggleHelp(false); ev.preventDefault(); }
    return;
  }
  if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === "s") {
    ev.preventDefault();
    if (state.report) save();
    return;
  }
  const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLSelectElement;
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "?") { toggleHelp(true); ev.preventDefault(); return; }
  if (state.report) reviewKey(ev); else listKey(ev);
});

$("#help-button").addEventListener("click", () => toggleHelp($("#help").hidden));
window.addEventListener("beforeunload", (ev) => {
  if (state.dirty) { ev.preventDefault(); ev.returnValue = ""; }
});

async function route() {
  const match = location.hash.match(/^#\/r\/(.+)$/);
  try {
    if (match) await openReport(decodeURIComponent(match[1]));
    else await showList();
  } catch (err) {
    status(err.message, true);
  }
}

window.addEventListener("hashchange", route);
route();
