// xxgk review: the list of reports, and one report's source beside its canonical tables.
// Plain browser JavaScript, no build step. The server does the arithmetic (POST .../check).
"use strict";

const $ = (selector) => document.querySelector(selector);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
};

const state = {
  reports: [], selected: 0, skipped: [],
  report: null, values: {}, year: null, issuer: "", accepted: new Set(),
  checks: [], badKeys: new Set(), printedKeys: new Set(), keys: [], grid: [], position: {}, current: null,
  cellEls: {}, markEls: {}, lineEls: {},
  dirty: false, leaveArmed: null, editing: null, checkSeq: 0,
};

// ------------------------------------------------------------------ helpers

async function api(path, body) {
  const init = body === undefined ? {} :
    {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)};
  const resp = await fetch(path, init);
  const text = await resp.text();
  let data;
  try { data = JSON.parse(text); } catch (_) { data = {detail: text}; }
  if (!resp.ok) throw new Error(data.detail || resp.statusText);
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
  document.title = "xxgk review";
  const data = await api("/api/reports");
  state.reports = data.reports;
  state.skipped = data.skipped;
  const body = $("#report-list tbody");
  body.textContent = "";
  data.reports.forEach((r, i) => {
    const tr = el("tr");
    tr.dataset.name = r.name;
    tr.append(el("td", "", r.name), el("td", "", r.issuer), el("td", "num", r.year), el("td", "", r.template));
    const verdict = el("td");
    verdict.append(el("span", `badge v-${r.verdict}`, r.verdict));
    tr.append(verdict, el("td", "num", r.unsure),
      el("td", "num", r.min_confidence === null ? "" : r.min_confidence.toFixed(2)),
      el("td", "num", r.failed_checks), el("td", "reviewed", r.reviewed ? "✓" : ""));
    tr.addEventListener("click", () => { state.selected = i; openSelected(); });
    body.append(tr);
  });
  $("#skipped").textContent = data.skipped.length ? `跳过 ${data.skipped.length} 个文件：${data.skipped.join("；")}` : "";
  $("#crumb").textContent = `${data.reports.length} 份报告 · gold → ${data.gold_dir} · 审核人 ${data.reviewer}`;
  if (state.selected >= data.reports.length) state.selected = 0;
  $("#review-view").hidden = true;
  $("#list-view").hidden = false;
  selectRow(state.selected);
}

function selectRow(i) {
  const rows = document.querySelectorAll("#report-list tbody tr");
  if (!rows.length) return;
  state.selected = Math.max(0, Math.min(rows.length - 1, i));
  rows.forEach((tr, j) => tr.classList.toggle("selected", j === state.selected));
  rows[state.selected].scrollIntoView({block: "nearest"});
}

function openSelected() {
  const r = state.reports[state.selected];
  if (r) location.hash = `#/r/${encodeURIComponent(r.name)}`;
}

function listKey(ev) {
  const moves = {ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: 10, PageUp: -10};
  if (ev.key in moves) selectRow(state.selected + moves[ev.key]);
  else if (ev.key === "Home") selectRow(0);
  else if (ev.key === "End") selectRow(state.reports.length - 1);
  else if (ev.key === "Enter") openSelected();
  else return;
  ev.preventDefault();
}

// ------------------------------------------------------------------ review view

async function openReport(name) {
  if (!state.reports.length) {
    const data = await api("/api/reports");
    state.reports = data.reports;
  }
  const r = await api(reportUrl(name));
  state.report = r;
  state.selected = Math.max(0, state.reports.findIndex((x) => x.name === name));
  state.values = {...r.current.fields};
  state.year = r.current.year;
  state.issuer = r.current.issuer || "";
  state.accepted = new Set();
  state.dirty = false;
  state.leaveArmed = null;
  state.checks = r.checks;
  document.title = `${r.name} · xxgk review`;
  $("#crumb").textContent = `${r.name} · ${r.title || ""}`;
  $("#issuer").value = state.issuer;
  $("#year").value = fmt(state.year);
  $("#template").textContent = `${r.template} 模板`;
  const verdict = $("#verdict");
  verdict.textContent = r.verdict;
  verdict.className = `badge v-${r.verdict}`;
  renderSource(r);
  renderTables(r.layout);
  $("#list-view").hidden = true;
  $("#review-view").hidden = false;
  refresh();
  const first = flaggedKeys()[0] || state.keys[0];
  focusCell(first);
  status(r.gold ? "已有 gold：显示的是保存过的值" : (flaggedKeys().length ? "按 n 到下一个待核对单元格" : "没有待核对的单元格；按 s 保存"));
}

function renderSource(r) {
  const root = $("#source");
  root.textContent = "";
  root.hidden = false;
  $("#original").hidden = true;
  state.markEls = {};
  state.lineEls = {};
  const src = r.source;
  $("#source-head").textContent = `${src.path || "（无原文路径）"} · ${src.reader || ""}` +
    (src.changed ? " · 原文在抽取后改过，行号可能不准" : "") + (src.reader === "html" ? " · v 看原始网页" : "");
  if (!r.lines) {
    root.append(el("p", "muted", "找不到原文，只能核对表格。"));
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
  for (const table of layout) {
    root.append(el("h3", "", table.title));
    const node = el("table", "canon");
    node.dataset.table = table.name;
    for (const block of table.blocks) {
      const body = node.createTBody();
      for (const head of block.head) {
        if (!head.length) continue;
        const tr = body.insertRow();
        for (const h of head) {
          const th = el("th", "head", h.text);
          if (h.colspan) th.colSpan = h.colspan;
          if (h.rowspan) th.rowSpan = h.rowspan;
          tr.append(th);
        }
      }
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
    }
    root.append(node);
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
  td.title = `${cell.row_label} / ${cell.column_label}\n原文「${cell.raw ?? ""}」 ${cell.kind} 置信度 ${cell.confidence}`;
  const mark = state.markEls[key];
  if (mark) {
    mark.classList.toggle("unsure", !!cell.unsure && !edited);
    mark.classList.toggle("bad", state.badKeys.has(key));
  }
}

function refresh() {
  const failing = state.checks.filter((c) => c.ok === false);
  state.badKeys = new Set(failing.flatMap((c) => c.cells));
  state.printedKeys = new Set(failing.map((c) => c.printed_cells[0]));
  state.keys.forEach(renderCell);
  renderChecks();
  renderCounts();
  renderCellInfo();
  $("#issuer").classList.toggle("changed", state.issuer !== (state.report.extracted.issuer || ""));
  $("#year").classList.toggle("changed", !same(state.year, state.report.extracted.year));
}

function renderCounts() {
  const edited = state.keys.filter(isEdited).length;
  const failed = state.checks.filter((c) => c.ok === false).length;
  $("#counts").textContent = `待核对 ${flaggedKeys().length} · 已确认 ${state.accepted.size} · 已更正 ${edited}` +
    ` · 核验未通过 ${failed}` + (state.dirty ? " · 未保存" : "");
  $("#counts").dataset.failed = failed;
}

function describeCheck(c) {
  const sides = c.ok === null ? "" : `：各项之和 ${c.expected}，印为 ${c.printed}`;
  return `${c.description || c.rule}${sides}`;
}

function renderChecks() {
  const root = $("#checks");
  root.textContent = "";
  const failing = state.checks.filter((c) => c.ok === false);
  const unknown = state.checks.filter((c) => c.ok === null);
  const passed = state.checks.length - failing.length - unknown.length;
  root.append(el("h4", "", `勾稽核验：未通过 ${failing.length} · 无法核验 ${unknown.length} · 通过 ${passed}`));
  const list = el("ul");
  list.id = "arith-checks";
  for (const c of [...failing, ...unknown]) {
    const li = el("li", c.ok === false ? "fail" : "unknown", `${c.rule} — ${describeCheck(c)}`);
    li.dataset.rule = c.rule;
    li.addEventListener("click", () => focusCell(c.printed_cells[0]));
    list.append(li);
  }
  root.append(list);
  const r = state.report;
  const repairs = Object.entries(r.repairs || {});
  if (repairs.length) {
    root.append(el("h4", "", "算术给出的修复建议（不写入 gold：gold 照录印出的数）"));
    const ul = el("ul");
    for (const [key, rep] of repairs) ul.append(el("li", "", `${key}：印为 ${rep.printed}，算得 ${rep.value}`));
    root.append(ul);
  }
  const prose = r.other_checks.filter((c) => c.kind === "prose");
  const others = r.other_checks.filter((c) => c.kind !== "prose");
  if (prose.length) {
    const bad = prose.filter((c) => c.ok === false).length;
    root.append(el("h4", "", `正文与表格（抽取时）：不一致 ${bad} · 一致 ${prose.filter((c) => c.ok).length}`));
    const ul = el("ul");
    ul.id = "prose-checks";
    for (const c of prose) {
      const said = c.ok === null ? `正文 ${c.printed}，表格无从比较` : `正文 ${c.printed}，表格 ${c.expected}`;
      const li = el("li", c.ok === false ? "fail" : (c.ok === null ? "unknown" : ""),
                    `${c.ok === false ? "✗" : (c.ok ? "✓" : "?")} ${c.description}：${said}${c.note ? `（${c.note}）` : ""}`);
      li.title = c.text || "";
      li.dataset.rule = c.rule;
      if (c.cells && c.cells.length) li.addEventListener("click", () => focusCell(c.cells[0]));
      ul.append(li);
    }
    root.append(ul);
  }
  if (others.length) {
    root.append(el("h4", "", "其他核验（抽取时）"));
    const ul = el("ul");
    for (const c of others) {
      ul.append(el("li", c.ok === false ? "fail" : "", `${c.rule} — ${c.description || ""} ${c.expected ?? ""} / ${c.printed ?? ""}`));
    }
    root.append(ul);
  }
  if (Array.isArray(r.narrative) && r.narrative.length) {
    root.append(el("h4", "", "正文中的其他数字（表格中没有）"));
    const ul = el("ul");
    for (const n of r.narrative) {
      const li = el("li", "", n && n.label !== undefined ? `${n.label} ${n.value ?? ""}${n.unit || ""}` : JSON.stringify(n));
      li.title = (n && n.text) || "";
      ul.append(li);
    }
    root.append(ul);
  }
  if (r.warnings.length) {
    root.append(el("h4", "", "提示"));
    const ul = el("ul");
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
  const head = el("div");
  head.append(el("code", "", key), ` ${cell.row_label} / ${cell.column_label}`);
  const line = cell.line ? `第 ${cell.line} 行` : "原文中未找到";
  const conf = typeof cell.confidence === "number" ? cell.confidence.toFixed(2) : "";
  const read = el("div", "", `原文「${cell.raw ?? ""}」 · ${cell.kind} · 置信度 ${conf} · ${line} · 抽取值 ${fmt(state.report.extracted.fields[key]) || "∅"}` +
    (isEdited(key) ? ` → 更正为 ${fmt(state.values[key]) || "∅"}` : "") + (state.accepted.has(key) ? " · 已确认" : "") +
    (cell.stand_in ? " · 由单行（六）其他处理代表" : "") + (cell.note ? ` · ${cell.note}` : ""));
  root.append(head, read);
  for (const c of state.checks.filter((x) => x.ok === false && x.cells.includes(key))) {
    root.append(el("div", "", `✗ ${describeCheck(c)}`));
  }
  for (const c of state.report.other_checks.filter((x) => x.ok === false && (x.cells || []).includes(key))) {
    root.append(el("div", "", `✗ ${c.description}：正文 ${c.printed}，表格 ${c.expected}（抽取时）「${c.text || ""}」`));
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
  renderCellInfo();
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
    const data = await api(`${reportUrl(name)}/check`, {fields: state.values});
    if (seq !== state.checkSeq || !state.report || state.report.name !== name) return;
    state.checks = data.checks;
    refresh();
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
    });
    state.dirty = false;
    const i = state.reports.findIndex((x) => x.name === r.name);
    if (i >= 0) state.reports[i] = data.summary;
    renderCounts();
    status(`已保存 ${data.gold}（与抽取不同 ${data.changes.length} 处）`);
    document.body.dataset.saved = data.gold;
  } catch (err) {
    status(`保存失败：${err.message}`, true);
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
  const i = state.reports.findIndex((x) => x.name === state.report.name) + step;
  if (i < 0 || i >= state.reports.length) { status(step > 0 ? "已是最后一份" : "已是第一份"); return; }
  leave(`go${step}`, () => { location.hash = `#/r/${encodeURIComponent(state.reports[i].name)}`; });
}

function toggleOriginal() {
  const r = state.report;
  if (r.source.reader !== "html" || !r.source.found) { status("原文就是这份文本"); return; }
  const frame = $("#original");
  const showFrame = frame.hidden;
  if (showFrame && !frame.src) frame.src = `${reportUrl(r.name)}/original`;
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
  if (ev.target instanceof HTMLInputElement || ev.ctrlKey || ev.metaKey || ev.altKey) return;
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
