// rulecheck serve: the page. Every text from a file or a report goes into the DOM as a text node
// (textContent, createTextNode), never as markup; no library, nothing fetched but this server's own API.
"use strict";

(function () {
  const token = document.querySelector('meta[name="rulecheck-token"]').content;
  const state = {
    lang: document.documentElement.dataset.lang === "en" ? "en" : "zh",
    texts: null, options: null, files: [], data: null, file: 0, sheet: 0, current: null,
  };
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function T(key, params) {
    let text = (state.texts[state.lang] || {})[key];
    if (text === undefined) text = key;
    for (const [name, value] of Object.entries(params || {})) text = text.split("{" + name + "}").join(String(value));
    return text;
  }

  function api(path, init) {
    const url = path + (path.includes("?") ? "&" : "?") + "lang=" + state.lang;
    return fetch(url, Object.assign({headers: {"X-Rulecheck-Token": token}, credentials: "same-origin"}, init || {}))
      .then((response) => response.json().then((body) => {
        if (!response.ok) throw new Error(body.error || String(response.status));
        return body;
      }));
  }

  function href(path, params) {
    const query = new URLSearchParams(Object.assign({lang: state.lang, token: token}, params || {}));
    return path + "?" + query.toString();
  }

  function status(text, isError) {
    const node = $("status");
    node.textContent = text || "";
    node.classList.toggle("error", !!isError);
  }

  // ------------------------------------------------------------------ static texts and options

  function applyTexts() {
    document.documentElement.lang = T("html-lang");
    document.documentElement.dataset.lang = state.lang;
    document.title = T("title");
    for (const node of document.querySelectorAll("[data-t]")) node.textContent = T(node.dataset.t);
    for (const node of document.querySelectorAll("[data-title]")) node.title = T(node.dataset.title);
    const button = $("lang-switch");
    button.textContent = T("switch");
    button.title = T("switch-title");
    button.lang = state.lang === "zh" ? "en" : "zh";
  }

  function loadOptions() {
    return api("/api/options").then((options) => {
      const select = $("rules");
      const chosen = select.value || options.default;
      select.replaceChildren(...options.rules.map((r) =>
        el("option", {value: r.key, selected: r.key === chosen}, r.title + " (" + r.origin + ": " + r.file + ")")));
      const previous = state.options;
      state.options = options;
      const rule = options.rules.find((r) => r.key === select.value) || options.rules[0];
      if (!previous || !$("as-of").value) $("as-of").value = rule.as_of;
      const link = $("template");
      link.hidden = !options.template;
      if (options.template) link.href = href("/download/template", {rules: select.value});
    });
  }

  // ------------------------------------------------------------------ checking

  function check() {
    if (!state.files.length) return;
    const form = new FormData();
    for (const file of state.files) form.append("files", file, file.name);
    form.append("rules", $("rules").value);
    form.append("as_of", $("as-of").value);
    form.append("show_id", $("show-id").checked ? "1" : "0");
    form.append("lang", state.lang);
    status(T("checking", {files: state.files.length}));
    const started = performance.now();
    $("recheck").disabled = true;
    return api("/api/check", {method: "POST", body: form}).then((data) => {
      state.file = 0;
      state.sheet = 0;
      show(data);
      status(T("checked", {files: state.files.length, ms: Math.round(performance.now() - started)}));
    }).catch((error) => status(T("failed", {error: error.message}), true))
      .finally(() => { $("recheck").disabled = !state.files.length; });
  }

  function take(list) {
    state.files = Array.from(list || []);
    check();
  }

  function switchLanguage() {
    state.lang = state.lang === "zh" ? "en" : "zh";
    applyTexts();
    loadOptions();
    if (state.data) {
      status("");
      api("/api/check/" + encodeURIComponent(state.data.id)).then(show)
        .catch((error) => status(T("failed", {error: error.message}), true));
    } else {
      status("");
    }
  }

  // ------------------------------------------------------------------ the result

  function show(data) {
    state.data = data;
    state.current = null;
    $("result").hidden = false;
    $("detail").hidden = true;
    drawVerdict(data);
    drawDownloads(data);
    drawFiles(data);
    drawNotes(data);
    drawStats(data);
    drawSlate();
    drawFindings(data);
  }

  function drawVerdict(data) {
    const box = $("verdict");
    box.className = data.overall;
    const s = data.summary;
    box.replaceChildren(
      el("span", {class: "word", id: "verdict-word"}, T("verdict-" + data.overall)),
      el("span", {id: "verdict-text"}, data.verdict),
      el("p", {}, T("summary", {files: s.files, rows: s.rows, skipped: s.skipped, errors: s.errors,
        warnings: s.warnings, notices: s.notices, exempted: s.exempted})));
  }

  function drawDownloads(data) {
    const links = ["xlsx", "json", "csv"].map((kind) =>
      el("a", {class: "button", id: "download-" + kind, href: href("/download/" + data.id + "/" + kind), download: ""},
        T("download-" + kind)));
    $("downloads").replaceChildren(el("strong", {}, T("downloads") + ":"), ...links);
  }

  function drawFiles(data) {
    const cards = data.files.map((f) => {
      const body = [el("h3", {}, el("span", {class: "badge " + f.verdict, dataset: {verdict: f.verdict}},
        T("verdict-" + f.verdict)), f.name)];
      if (f.error) {
        body.push(el("p", {class: "file-error"}, T("not-read"), f.error));
      } else if (f.passed_over) {
        body.push(el("p", {}, f.passed_over));
      } else {
        const parts = [T("file-rows", {rows: f.rows})];
        if (f.skipped) parts.push(T("file-skipped", {skipped: f.skipped}));
        parts.push(T("file-counts", f.counts));
        body.push(el("p", {}, parts.join(state.lang === "zh" ? ";" : "; ")));
      }
      if (f.unchecked.length) {
        body.push(el("strong", {}, T("unchecked")));
        body.push(el("ul", {}, ...f.unchecked.map((u) =>
          el("li", {class: u.essential ? "essential" : null}, u.text))));
      }
      if (f.notes.length) {
        body.push(el("strong", {}, T("notes")));
        body.push(el("ul", {}, ...f.notes.map((n) => el("li", {}, n))));
      }
      if (f.annotatable) {
        body.push(el("a", {class: "button", href: href("/download/" + data.id + "/annotated", {file: f.n}), download: ""},
          T("download-annotated")));
      }
      return el("div", {class: "card file-card"}, ...body);
    });
    $("files-list").replaceChildren(el("h2", {}, T("files")), el("div", {class: "cards"}, ...cards));
  }

  function drawNotes(data) {
    const box = $("run-notes");
    const parts = [];
    if (data.notes.length) {
      parts.push(el("h2", {}, T("run-notes")), el("ul", {}, ...data.notes.map((n) => el("li", {}, n))));
    }
    if (data.exempted.length) {
      parts.push(el("h2", {}, T("exempted")), el("ul", {}, ...data.exempted.map((e) =>
        el("li", {}, [e.title, e.village, e.name, e.row ? T("row", {row: e.row}) : null].filter(Boolean).join(" · ")
          + " — " + e.evidence))));
    }
    box.replaceChildren(...parts);
  }

  // ------------------------------------------------------------------ statistics and the chart

  function drawStats(data) {
    const box = $("stats");
    if (!data.townships.length) { box.replaceChildren(); return; }
    const head = el("tr", {}, el("th", {}, T("township")), ...data.columns.map((c) => el("th", {}, c.title)));
    const rows = data.townships.map((row) => el("tr", {},
      el("td", {}, [row.county, row.township || T("blank")].filter(Boolean).join(" ")),
      ...row.values.map((v) => el("td", {class: v.flag ? "flag-" + v.flag : null,
        title: v.reference !== null ? T("reference", {value: v.reference_text}) : null}, v.text))));
    const charts = data.columns.map((c, i) => c.chart ? chart(data, c, i) : null).filter(Boolean);
    box.replaceChildren(el("h2", {}, T("townships")), el("div", {class: "stats-row"},
      el("table", {class: "stats", id: "stats-table"}, el("thead", {}, head), el("tbody", {}, ...rows)),
      el("div", {class: "charts", id: "charts"}, ...charts)));
  }

  // One bar per township, the reference (45 years, 15%) as a dashed line: drawn here, no library.
  function chart(data, column, i) {
    const rows = data.townships.map((row) => ({name: row.township || T("blank"), v: row.values[i]}));
    const percent = (column.format || "").endsWith("%");
    const top = Math.max(percent ? 0.2 : 1, ...rows.map((r) => r.v.value || 0), ...rows.map((r) => r.v.reference || 0)) * 1.15;
    const barW = 44, gap = 22, left = 44, height = 120, base = 24 + height;
    const width = left + rows.length * (barW + gap) + gap;
    const y = (value) => base - (value / top) * height;
    const image = svg("svg", {width: width, height: base + 40, viewBox: "0 0 " + width + " " + (base + 40),
      role: "img", "aria-label": column.title});
    image.append(svg("line", {class: "axis", x1: left, y1: base, x2: width - 4, y2: base}));
    image.append(svg("line", {class: "axis", x1: left, y1: 20, x2: left, y2: base}));
    for (const step of [0, 0.5, 1]) {
      const value = top * step / 1.15;
      image.append(svg("text", {x: left - 4, y: y(value) + 4, "text-anchor": "end"},
        percent ? Math.round(value * 100) + "%" : String(Math.round(value))));
    }
    rows.forEach((r, n) => {
      const x = left + gap + n * (barW + gap);
      if (r.v.value !== null) {
        image.append(svg("rect", {class: "bar" + (r.v.flag ? " broken" : ""), x: x, y: y(r.v.value), width: barW,
          height: Math.max(0, base - y(r.v.value))}));
        image.append(svg("text", {x: x + barW / 2, y: y(r.v.value) - 4, "text-anchor": "middle"}, r.v.text));
      }
      if (r.v.reference !== null) {
        image.append(svg("line", {class: "ref", x1: x - gap / 2, x2: x + barW + gap / 2, y1: y(r.v.reference),
          y2: y(r.v.reference)}));
      }
      image.append(svg("text", {x: x + barW / 2, y: base + 16, "text-anchor": "middle"}, r.name));
    });
    const ref = rows.find((r) => r.v.reference !== null);
    const caption = column.title + (ref ? " — " + T("reference", {value: ref.v.reference_text}) : "");
    return el("figure", {class: "chart"}, el("figcaption", {}, caption), image);
  }

  // ------------------------------------------------------------------ the slate and its findings

  function marksOf(file, sheet) {
    const cells = new Map(), rows = new Map();
    const rank = {error: 0, warning: 1, notice: 2};
    for (const f of state.data.findings) {
      if (f.file !== file || f.sheet !== sheet || f.row === null) continue;
      const worst = rows.get(f.row);
      if (!worst || rank[f.severity] < rank[worst]) rows.set(f.row, f.severity);
      const key = f.row + ":" + (f.letter || "#");
      if (!cells.has(key)) cells.set(key, []);
      cells.get(key).push(f);
    }
    return {cells: cells, rows: rows, rank: rank};
  }

  function worst(list, rank) {
    return list.reduce((a, f) => (rank[f.severity] < rank[a] ? f.severity : a), "notice");
  }

  function tip(list) {
    return list.map((f) => "[" + f.severity_text + "] " + f.title + ": " + f.message
      + (f.observed ? "\n" + T("observed", {value: f.observed}) : "")
      + (f.quote ? "\n" + T("quote", {quote: f.quote}) : "")).join("\n\n");
  }

  function drawSlate() {
    const data = state.data;
    const box = $("slate");
    const readable = data.files.filter((f) => f.sheets.length);
    if (!readable.length) { box.replaceChildren(el("h2", {}, T("slate")), el("p", {class: "hint"}, T("no-table"))); return; }
    if (!data.files[state.file] || !data.files[state.file].sheets.length) state.file = readable[0].n;
    const file = data.files[state.file];
    if (!file.sheets[state.sheet]) state.sheet = 0;
    const tabs = [];
    for (const f of readable) {
      f.sheets.forEach((s, n) => {
        const label = (readable.length > 1 ? f.name + " · " : "") + s.name + (s.hidden ? T("hidden-sheet") : "");
        tabs.push(el("button", {type: "button", class: f.n === state.file && n === state.sheet ? "current" : null,
          onclick: () => { state.file = f.n; state.sheet = n; drawSlate(); }}, label));
      });
    }
    const sheet = file.sheets[state.sheet];
    const marks = marksOf(state.file, state.sheet);
    const head = el("tr", {}, el("th", {}, ""), ...sheet.letters.map((l) => el("th", {}, l)));
    const body = el("tbody", {});
    for (const [number, cells] of sheet.rows) {
      const tint = marks.rows.get(number);
      const tr = el("tr", {id: "r-" + number, class: tint ? "tint-" + tint : null});
      const whole = marks.cells.get(number + ":#");
      tr.append(el("th", {class: whole ? "bad-" + worst(whole, marks.rank) : null, title: whole ? tip(whole) : null,
        onclick: whole ? () => detail(whole) : null}, String(number)));
      sheet.letters.forEach((letter, j) => {
        const found = marks.cells.get(number + ":" + letter);
        const text = j < cells.length ? cells[j] : "";
        tr.append(el("td", {id: "c-" + letter + number, class: found ? "bad-" + worst(found, marks.rank) : null,
          title: found ? tip(found) : null, onclick: found ? () => detail(found) : null,
          dataset: found ? {rules: found.map((f) => f.rule).join(" ")} : null}, text));
      });
      body.append(tr);
    }
    const hints = [];
    if (sheet.truncated) hints.push(el("p", {class: "hint"}, T("truncated", {rows: sheet.rows.length})));
    if (sheet.wide) hints.push(el("p", {class: "hint"}, T("wide")));
    box.replaceChildren(el("h2", {}, T("slate")), el("div", {class: "tabs"}, ...tabs), ...hints,
      el("div", {class: "sheet-wrap", id: "sheet-wrap"},
        el("table", {class: "sheet", id: "sheet"}, el("thead", {}, head), body)));
  }

  function whereText(f) {
    if (f.cell) return f.cell;
    if (f.row !== null) return T("row", {row: f.row});
    return T("whole-file");
  }

  function drawFindings(data) {
    const box = $("findings");
    const items = data.findings.map((f) => el("li", {},
      el("button", {type: "button", class: "finding", dataset: {n: f.n, rule: f.rule, severity: f.severity},
        onclick: () => jump(f)},
        el("span", {class: "badge " + f.severity}, f.severity_text),
        el("span", {class: "where"}, whereText(f)),
        el("span", {class: "title"}, f.title),
        el("span", {class: "message"}, [f.village, f.name].filter(Boolean).join(" ") + (f.village || f.name ? (state.lang === "zh" ? ":" : ": ") : "")
          + f.message))));
    // What was not checked, and the notes, stand in the list as plainly as the violations, first.
    const coverage = [];
    for (const f of data.files) {
      const prefix = data.files.length > 1 ? f.name + ": " : "";
      if (f.error) coverage.push(el("li", {class: "coverage"}, el("span", {class: "badge unchecked"}, T("verdict-incomplete")),
        prefix + T("not-read") + f.error));
      for (const u of f.unchecked) coverage.push(el("li", {class: "coverage" + (u.essential ? " essential" : "")},
        el("span", {class: "badge unchecked"}, T("unchecked")), prefix + u.text));
      for (const n of f.notes) coverage.push(el("li", {class: "coverage"}, el("span", {class: "badge note"}, T("notes")),
        prefix + n));
    }
    const list = [...coverage, ...items];
    box.replaceChildren(el("h2", {}, T("findings") + " (" + data.findings.length + ")"),
      list.length ? el("ol", {id: "findings-list"}, ...list) : null,
      items.length ? null : el("p", {class: "hint", id: "no-findings"}, T("no-findings")));
  }

  function jump(f) {
    for (const node of document.querySelectorAll("#findings button.current")) node.classList.remove("current");
    const button = document.querySelector('#findings button[data-n="' + f.n + '"]');
    if (button) button.classList.add("current");
    if (f.file !== null && f.sheet !== null && (f.file !== state.file || f.sheet !== state.sheet)) {
      state.file = f.file;
      state.sheet = f.sheet;
      drawSlate();
    }
    const target = f.row === null ? null : (f.letter ? $("c-" + f.letter + f.row) : $("r-" + f.row));
    if (target && f.file === state.file && f.sheet === state.sheet) {
      target.scrollIntoView({block: "center", inline: "center"});
      const cell = f.letter ? target : target.firstChild;
      cell.classList.remove("focus");
      void cell.offsetWidth;  // restart the flash
      cell.classList.add("focus");
    }
    const here = f.letter && f.row !== null ? state.data.findings.filter((g) => g.file === f.file && g.sheet === f.sheet
      && g.row === f.row && g.letter === f.letter) : [f];
    detail(here);
  }

  function detail(list) {
    const box = $("detail");
    const first = list[0];
    const heading = [first.sheet_name ? T("sheet", {sheet: first.sheet_name}) : null, whereText(first),
      first.column].filter(Boolean).join(" · ");
    box.replaceChildren(
      el("button", {type: "button", class: "close", onclick: () => { box.hidden = true; }}, T("close")),
      el("h3", {}, heading),
      ...list.map((f) => el("div", {class: "item"},
        el("p", {}, el("span", {class: "badge " + f.severity}, f.severity_text), el("strong", {}, f.title),
          " (" + f.rule + ")"),
        el("p", {}, [f.township, f.village, f.name].filter(Boolean).join(" ")),
        el("p", {class: "detail-message"}, f.message),
        f.observed ? el("p", {}, T("observed", {value: f.observed})) : null,
        f.quote ? el("blockquote", {}, T("quote", {quote: f.quote})) : null)));
    box.hidden = false;
  }

  // ------------------------------------------------------------------ start

  function start() {
    const drop = $("drop");
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      e.stopPropagation();  // the document's handler below would take the files a second time
      drop.classList.remove("over");
      take(e.dataTransfer.files);
    });
    $("files").addEventListener("change", (e) => take(e.target.files));
    $("recheck").addEventListener("click", check);
    $("lang-switch").addEventListener("click", switchLanguage);
    $("rules").addEventListener("change", () => {
      const rule = state.options.rules.find((r) => r.key === $("rules").value);
      if (rule) $("as-of").value = rule.as_of;
      if (state.options.template) $("template").href = href("/download/template", {rules: $("rules").value});
      check();
    });
    $("as-of").addEventListener("change", check);
    $("show-id").addEventListener("change", check);
    document.addEventListener("keydown", (e) => { if (e.key === "Escape") $("detail").hidden = true; });
    fetch("/static/texts.json", {credentials: "same-origin"}).then((r) => r.json()).then((texts) => {
      state.texts = texts;
      applyTexts();
      return loadOptions();
    }).catch((error) => status(String(error), true));
  }

  // A file dropped beside the drop zone must not make the browser open it in place of the page.
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => { e.preventDefault(); if (e.dataTransfer.files.length) take(e.dataTransfer.files); });

  start();
})();
