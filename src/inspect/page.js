// The inspector page's code (docs/inspect.md). Everything it shows was computed by
// mapback ahead and sits in the JSON element "mapback-data"; this code only decodes the
// lines it draws (Base64 VLQ, each line on its own: see src/inspect/encode.rs), draws
// only the rows on screen, and makes no network request.
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("mapback-data").textContent);
  var $ = function (id) { return document.getElementById(id); };
  var LINE_HEIGHT = 16;

  // ---- Base64 VLQ -------------------------------------------------------------------
  var DIGIT = new Int8Array(128).fill(-1);
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach(function (c, i) {
    DIGIT[c.charCodeAt(0)] = i;
  });
  var cursor = 0;
  function unsigned(text) {
    var value = 0, scale = 1, digit;
    do {
      digit = DIGIT[text.charCodeAt(cursor++)];
      value += (digit & 31) * scale;
      scale *= 32;
    } while (digit & 32);
    return value;
  }
  function signed(text) {
    var raw = unsigned(text);
    var half = Math.floor(raw / 2);
    return raw % 2 ? -half : half;
  }

  // ---- the data -----------------------------------------------------------------------
  var sources = DATA.sources || [];
  var names = DATA.names || [];
  var generatedText = DATA.generated != null ? DATA.generated.split(";") : [];
  var scriptLines = DATA.script != null ? DATA.script.split(/\r\n|[\n\r\u2028\u2029]/) : null;
  var originalText = (DATA.original || []).map(function () { return null; });

  // A generated line's segments: columns, flags (1 mapped, 2 named, 4 range), source,
  // original line and column, name; decoded on first use and kept.
  var generatedCache = new Map();
  function generatedLine(line) {
    var hit = generatedCache.get(line);
    if (hit) return hit;
    var text = generatedText[line] || "";
    var capacity = (text.length >> 1) + 1;
    var seg = {
      n: 0, col: new Int32Array(capacity), flags: new Int8Array(capacity), src: new Int32Array(capacity),
      line: new Int32Array(capacity), ocol: new Int32Array(capacity), name: new Int32Array(capacity)
    };
    var col = 0, src = 0, oline = 0, ocol = 0, name = 0;
    cursor = 0;
    while (cursor < text.length) {
      var i = seg.n++;
      col += unsigned(text);
      var flags = unsigned(text);
      seg.col[i] = col;
      seg.flags[i] = flags;
      seg.src[i] = -1; seg.name[i] = -1;
      if (flags & 1) {
        src += signed(text); oline += signed(text); ocol += signed(text);
        seg.src[i] = src; seg.line[i] = oline; seg.ocol[i] = ocol;
      }
      if (flags & 2) { name += signed(text); seg.name[i] = name; }
    }
    generatedCache.set(line, seg);
    return seg;
  }

  // A source's original lines: per line, segments ordered by original column, each with
  // its generated line and column.
  var originalCache = new Map();
  function originalLine(source, line) {
    var key = source + ":" + line;
    var hit = originalCache.get(key);
    if (hit) return hit;
    if (originalText[source] == null) {
      originalText[source] = DATA.original && DATA.original[source] ? DATA.original[source].split(";") : [];
    }
    var text = originalText[source][line] || "";
    var seg = { n: 0, ocol: [], gline: [], gcol: [] };
    var ocol = 0, gline = 0, gcol = 0;
    cursor = 0;
    while (cursor < text.length) {
      ocol += unsigned(text); gline += signed(text); gcol += signed(text);
      seg.ocol.push(ocol); seg.gline.push(gline); seg.gcol.push(gcol);
      seg.n++;
    }
    originalCache.set(key, seg);
    return seg;
  }

  // The index of the last segment at or before `column` (the first of several at the
  // same column), or -1: the greatest-lower-bound lookup of the spec.
  function segmentAt(cols, count, column) {
    var lo = 0, hi = count;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (cols[mid] <= column) lo = mid + 1; else hi = mid;
    }
    var i = lo - 1;
    while (i > 0 && cols[i - 1] === cols[i]) i--;
    return i;
  }

  function colour(source, line, column) {
    var h = (Math.imul(source + 1, 2654435761) ^ Math.imul(line + 7, 40503) ^ Math.imul(column + 13, 9973)) >>> 0;
    return "hsl(" + (h % 360) + ", 75%, " + (82 + (h >> 9) % 8) + "%)";
  }
  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function sourceName(index) {
    var s = sources[index];
    return s ? (s.name != null ? s.name : "(null source " + index + ")") : "(source " + index + ")";
  }
  function shortName(name) {
    var parts = String(name).split("/");
    return parts[parts.length - 1] || name;
  }
  function bytes(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(2) + " MiB";
    if (n >= 1024) return (n / 1024).toFixed(1) + " KiB";
    return n + " B";
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c != null) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  // ---- a virtual text pane: wraps lines into rows of fixed width, draws visible rows --
  function Pane(element, spansOf) {
    this.element = element;
    this.spansOf = spansOf;
    this.lines = [];
    this.highlight = new Set();
    this.mark = null;
    this.spanCache = new Map();
    this.sizer = el("div", { class: "sizer" });
    this.rows = el("div", { class: "rows" });
    element.appendChild(this.sizer);
    element.appendChild(this.rows);
    var self = this;
    element.addEventListener("scroll", function () { self.draw(); });
  }
  Pane.prototype.setLines = function (lines, message) {
    this.lines = lines || [];
    this.spanCache = new Map();
    this.message = message;
    this.element.scrollTop = 0;
    this.layout();
  };
  Pane.prototype.layout = function () {
    var charWidth = 7.2;
    var probe = el("span", { class: "row", text: "0000000000" });
    this.rows.appendChild(probe);
    var measured = probe.getBoundingClientRect().width / 10;
    if (measured > 0) charWidth = measured;
    this.rows.removeChild(probe);
    var usable = this.element.clientWidth - charWidth * 8 - 16;
    this.width = Math.max(40, Math.floor(usable / charWidth));
    var count = this.lines.length;
    this.firstRow = new Int32Array(count + 1);
    var rows = 0;
    for (var i = 0; i < count; i++) {
      this.firstRow[i] = rows;
      rows += Math.max(1, Math.ceil(this.lines[i].length / this.width));
    }
    this.firstRow[count] = rows;
    this.rowCount = rows;
    this.sizer.style.height = rows * LINE_HEIGHT + "px";
    this.draw();
  };
  Pane.prototype.lineOfRow = function (row) {
    var lo = 0, hi = this.lines.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (this.firstRow[mid] <= row) lo = mid + 1; else hi = mid;
    }
    return lo - 1;
  };
  Pane.prototype.draw = function () {
    if (!this.lines.length) {
      this.rows.innerHTML = '<div class="empty">' + escapeHtml(this.message || "Nothing to show.") + "</div>";
      this.rows.style.top = "0px";
      return;
    }
    var top = this.element.scrollTop;
    var first = Math.max(0, Math.floor(top / LINE_HEIGHT) - 5);
    var last = Math.min(this.rowCount, Math.ceil((top + this.element.clientHeight) / LINE_HEIGHT) + 5);
    var html = [];
    var line = this.lineOfRow(first);
    for (var row = first; row < last; row++) {
      while (line + 1 < this.lines.length && this.firstRow[line + 1] <= row) line++;
      var start = (row - this.firstRow[line]) * this.width;
      html.push(this.rowHtml(line, start, start === 0));
    }
    this.rows.style.top = first * LINE_HEIGHT + "px";
    this.rows.innerHTML = html.join("");
  };
  Pane.prototype.rowHtml = function (line, start, numbered) {
    var text = this.lines[line];
    var end = Math.min(text.length, start + this.width);
    var out = ['<div class="row"><span class="ln">', numbered ? line + 1 : "", "</span>"];
    var spans = this.spanCache.get(line);
    if (!spans) {
      // A long minified line is many rows: its spans are worked out once, not per row.
      if (this.spanCache.size > 2000) this.spanCache.clear();
      spans = this.spansOf(line, text.length);
      this.spanCache.set(line, spans);
    }
    var at = start;
    for (var k = spans.first(start); k < spans.count && spans.start[k] < end; k++) {
      var from = Math.max(spans.start[k], start), to = Math.min(spans.end[k], end);
      if (to <= from) continue;
      if (from > at) out.push(escapeHtml(text.slice(at, from)));
      var key = line + ":" + spans.start[k];
      var cls = "m" + spans.cls(k) + (this.highlight.has(key) ? " hl" : "") + (this.mark === key ? " mark" : "");
      out.push('<span class="', cls, '" data-l="', line, '" data-c="', spans.start[k], '" style="background:',
        spans.colour(k), '">', escapeHtml(text.slice(from, to)), "</span>");
      at = to;
    }
    if (at < end) out.push(escapeHtml(text.slice(at, end)));
    var past = this.markPast;
    if (past && past.line === line && end === text.length) {
      out.push('<span class="mark past" data-l="', line, '" data-c="', past.column, '">⟶ column ', past.column + 1,
        " is past this line's end (", text.length, ")</span>");
    }
    out.push("</div>");
    return out.join("");
  };
  Pane.prototype.rowOf = function (line, column) {
    line = Math.max(0, Math.min(line, this.lines.length - 1));
    var extra = Math.min(Math.floor(column / this.width), this.firstRow[line + 1] - this.firstRow[line] - 1);
    return this.firstRow[line] + Math.max(0, extra);
  };
  // Scrolls so that (line, column) is on screen; `always` puts it a third down even when
  // it is already visible. Returns whether the view moved.
  Pane.prototype.reveal = function (line, column, always) {
    if (!this.lines.length) return false;
    var y = this.rowOf(line, column) * LINE_HEIGHT;
    var top = this.element.scrollTop, height = this.element.clientHeight;
    if (!always && y >= top && y + LINE_HEIGHT <= top + height) return false;
    this.element.scrollTop = Math.max(0, y - Math.floor(height / 3));
    this.draw();
    return this.element.scrollTop !== top;
  };

  // Span lists, the shape Pane wants: start/end columns, class and colour of each.
  function generatedSpans(line, length) {
    var seg = generatedLine(line);
    var start = [], end = [], index = [];
    for (var i = 0; i < seg.n; i++) {
      if (i > 0 && seg.col[i] === seg.col[i - 1]) continue;
      var j = i + 1;
      while (j < seg.n && seg.col[j] === seg.col[i]) j++;
      start.push(seg.col[i]);
      end.push(j < seg.n ? seg.col[j] : Math.max(length, seg.col[i]));
      index.push(i);
    }
    return {
      count: start.length, start: start, end: end,
      first: function (column) { var k = segmentAt(start, start.length, column); return Math.max(0, k); },
      cls: function (k) {
        var f = seg.flags[index[k]];
        return (f & 1 ? "" : " u") + (f & 4 ? " rg" : "");
      },
      colour: function (k) {
        var i = index[k];
        return seg.flags[i] & 1 ? colour(seg.src[i], seg.line[i], seg.ocol[i]) : "";
      }
    };
  }
  var currentSource = -1;
  function originalSpans(line, length) {
    var seg = originalLine(currentSource, line);
    var start = [], end = [];
    for (var i = 0; i < seg.n; i++) {
      if (i > 0 && seg.ocol[i] === seg.ocol[i - 1]) continue;
      var j = i + 1;
      while (j < seg.n && seg.ocol[j] === seg.ocol[i]) j++;
      start.push(seg.ocol[i]);
      end.push(j < seg.n ? seg.ocol[j] : Math.max(length, seg.ocol[i]));
    }
    return {
      count: start.length, start: start, end: end,
      first: function (column) { var k = segmentAt(start, start.length, column); return Math.max(0, k); },
      cls: function () { return ""; },
      colour: function (k) { return colour(currentSource, line, start[k]); }
    };
  }

  var generated = new Pane($("generated-pane"), generatedSpans);
  var original = new Pane($("original-pane"), originalSpans);

  // ---- the two panes and the mapping between them ------------------------------------
  var picker = $("source-picker");
  function selectSource(index) {
    if (index === currentSource || index < 0 || index >= sources.length) return;
    currentSource = index;
    picker.value = String(index);
    var s = sources[index];
    $("original-title").textContent = sourceName(index) + (s.ignored ? "  (ignore-listed)" : "");
    var lines = s.content != null ? s.content.split(/\r\n|[\n\r\u2028\u2029]/) : [];
    original.highlight = new Set();
    original.mark = null;
    original.setLines(lines, "This source has no sourcesContent in the map.");
  }

  var info = $("mapping-info");
  var pinned = false;
  function describe(line, seg, i) {
    var text = "generated " + (line + 1) + ":" + (seg.col[i] + 1);
    if (!(seg.flags[i] & 1)) return text + " → no original position (a 1-field segment)";
    text += " → " + sourceName(seg.src[i]) + " " + (seg.line[i] + 1) + ":" + (seg.ocol[i] + 1);
    if (seg.flags[i] & 2) text += "  name: " + names[seg.name[i]];
    if (seg.flags[i] & 4) text += "  (range mapping)";
    return text + "   (lines and columns 1-based)";
  }
  // Shows the generated segment at (line, column) and its original counterpart.
  function focusGenerated(line, column, scrollSelf) {
    var seg = generatedLine(line);
    var i = segmentAt(seg.col, seg.n, column);
    if (i < 0) return null;
    generated.highlight = new Set([line + ":" + seg.col[i]]);
    info.textContent = describe(line, seg, i);
    if (scrollSelf) generated.reveal(line, seg.col[i], true);
    generated.draw();
    if (seg.flags[i] & 1) {
      selectSource(seg.src[i]);
      original.highlight = new Set([seg.line[i] + ":" + seg.ocol[i]]);
      if (!original.reveal(seg.line[i], seg.ocol[i], false)) original.draw();
    } else {
      original.highlight = new Set();
      original.draw();
    }
    return i;
  }
  // Shows the original span at (line, column) of the current source and every generated
  // segment that maps to it.
  function focusOriginal(line, column) {
    var seg = originalLine(currentSource, line);
    var keys = new Set(), first = -1;
    for (var i = 0; i < seg.n; i++) {
      if (seg.ocol[i] !== column) continue;
      keys.add(seg.gline[i] + ":" + seg.gcol[i]);
      if (first < 0) first = i;
    }
    original.highlight = new Set([line + ":" + column]);
    original.draw();
    generated.highlight = keys;
    if (first >= 0) {
      info.textContent = sourceName(currentSource) + " " + (line + 1) + ":" + (column + 1) + " ← " + keys.size +
        " generated position" + (keys.size === 1 ? "" : "s") + ", first " + (seg.gline[first] + 1) + ":" +
        (seg.gcol[first] + 1) + "   (lines and columns 1-based)";
      if (!generated.reveal(seg.gline[first], seg.gcol[first], false)) generated.draw();
    } else {
      generated.draw();
    }
  }
  function spanTarget(event) {
    var t = event.target;
    return t && t.classList && t.classList.contains("m") ? t : null;
  }
  // Redrawing puts new elements under a still mouse, and the browser reports them as
  // hovered again: only a different span counts as a new hover.
  var hovered = null;
  function hoverKey(pane, t) {
    return pane + ":" + t.dataset.l + ":" + t.dataset.c + (pane === "o" ? ":" + currentSource : "");
  }
  generated.element.addEventListener("mouseover", function (event) {
    var t = spanTarget(event);
    if (!t || pinned || hovered === hoverKey("g", t)) return;
    hovered = hoverKey("g", t);
    focusGenerated(+t.dataset.l, +t.dataset.c, false);
  });
  original.element.addEventListener("mouseover", function (event) {
    var t = spanTarget(event);
    if (!t || pinned || hovered === hoverKey("o", t)) return;
    focusOriginal(+t.dataset.l, +t.dataset.c);
    hovered = hoverKey("o", t);
  });
  generated.element.addEventListener("click", function (event) {
    var t = spanTarget(event);
    pinned = !!t;
    if (t) focusGenerated(+t.dataset.l, +t.dataset.c, false);
  });
  original.element.addEventListener("click", function (event) {
    var t = spanTarget(event);
    pinned = !!t;
    if (t) focusOriginal(+t.dataset.l, +t.dataset.c);
  });

  // Moves the generated pane to a position and marks it (diagnostics, trace frames).
  function goToGenerated(line, column) {
    showTab("code");
    pinned = true;
    generated.mark = null;
    var i = focusGenerated(line, column, false);
    var seg = generatedLine(line);
    var length = (scriptLines && scriptLines[line] || "").length;
    generated.mark = line + ":" + (i != null && i >= 0 ? seg.col[i] : column);
    generated.markPast = scriptLines && column >= length ? { line: line, column: column } : null;
    generated.reveal(line, column, true);
  }

  // ---- tabs ----------------------------------------------------------------------------
  var tabButtons = document.querySelectorAll("#tabs button");
  function showTab(name) {
    tabButtons.forEach(function (b) { b.classList.toggle("active", b.dataset.tab === name); });
    document.querySelectorAll(".tab").forEach(function (t) { t.classList.toggle("active", t.id === "tab-" + name); });
    if (name === "code") { generated.layout(); original.layout(); }
    if (name === "size") drawTreemap();
  }
  tabButtons.forEach(function (b) { b.addEventListener("click", function () { showTab(b.dataset.tab); }); });
  var resizeTimer = 0;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { generated.layout(); original.layout(); drawTreemap(); }, 100);
  });

  // ---- diagnostics -----------------------------------------------------------------------
  function drawDiagnostics() {
    var report = DATA.validation;
    var box = $("diagnostics");
    var problems = report.errors.concat(report.warnings);
    $("diag-count").textContent = "(" + report.error_count + " errors, " + report.warning_count + " warnings)";
    box.appendChild(el("p", { class: report.valid ? "ok" : "bad",
      text: report.valid ? "Valid: no errors" + (report.warning_count ? ", " + report.warning_count + " warnings." : ".")
                         : "Invalid: " + report.error_count + " errors, " + report.warning_count + " warnings." }));
    problems.forEach(function (p) {
      var where = [];
      if (p.path) where.push(p.path);
      if (p.offset != null) where.push("byte " + p.offset + " of the map");
      if (p.generated_line != null) where.push("generated " + (p.generated_line + 1) + ":" + (p.generated_column + 1));
      var item = el("div", { class: "diag " + p.severity }, [
        el("span", { class: "code", text: p.severity + " " + p.code }), " ",
        el("span", { text: p.message }),
        where.length ? el("div", { class: "where", text: where.join(" · ") }) : null,
        p.excerpt ? el("div", { class: "excerpt", text: p.excerpt }) : null
      ]);
      item.addEventListener("click", function () {
        box.querySelectorAll(".diag.selected").forEach(function (d) { d.classList.remove("selected"); });
        item.classList.add("selected");
        goToProblem(p);
      });
      box.appendChild(item);
    });
    Object.keys(report.omitted || {}).forEach(function (code) {
      box.appendChild(el("p", { text: "… and " + report.omitted[code] + " more " + code + " (not listed)." }));
    });
  }
  function goToProblem(p) {
    if (p.generated_line != null) { goToGenerated(p.generated_line, p.generated_column || 0); return; }
    var match = /^(?:sources|sourcesContent)\[(\d+)\]/.exec(p.path || "");
    if (match && +match[1] < sources.length) {
      showTab("code");
      selectSource(+match[1]);
    }
    // A problem at a byte of the map stays here: its excerpt is the place.
  }

  // ---- size: treemap and table ----------------------------------------------------------
  var sizeMode = "files";
  function sizeItems() {
    var a = DATA.attribution;
    if (!a) return [];
    var items = [];
    if (sizeMode === "files") {
      a.per_source.forEach(function (n, i) {
        if (n > 0) items.push({ name: sourceName(i), bytes: n, source: i, ignored: sources[i].ignored });
      });
    } else {
      var inPackages = 0;
      a.packages.forEach(function (p) { inPackages += p.bytes; items.push({ name: p.name, bytes: p.bytes, sources: p.sources }); });
      var mapped = a.total - a.unmapped;
      if (mapped - inPackages > 0) items.push({ name: "[not under node_modules]", bytes: mapped - inPackages, other: true });
    }
    if (a.unmapped > 0) items.push({ name: "[unmapped]", bytes: a.unmapped, unmapped: true });
    items.sort(function (x, y) { return y.bytes - x.bytes; });
    return items;
  }
  // Squarified treemap (Bruls, Huizing, van Wijk 2000): lay out `items` (sorted, largest
  // first) in the rectangle, row by row along the shorter side, keeping aspect ratios low.
  function squarify(items, x, y, w, h) {
    var total = 0;
    items.forEach(function (it) { total += it.bytes; });
    var scale = total > 0 ? (w * h) / total : 0;
    var out = [], i = 0;
    while (i < items.length && w > 0 && h > 0) {
      var side = Math.min(w, h), row = [], rowArea = 0, best = Infinity;
      while (i < items.length) {
        var area = items[i].bytes * scale;
        var sum = rowArea + area;
        var minA = Math.min(area, row.length ? row[row.length - 1].area : area);
        var maxA = row.length ? Math.max(row[0].area, area) : area;
        var worst = Math.max((side * side * maxA) / (sum * sum), (sum * sum) / (side * side * minA));
        if (row.length && worst > best) break;
        best = worst; row.push({ item: items[i], area: area }); rowArea = sum; i++;
      }
      var thick = rowArea / side, along = 0;
      row.forEach(function (r) {
        var len = r.area / thick;
        if (w >= h) out.push({ item: r.item, x: x, y: y + along, w: thick, h: len });
        else out.push({ item: r.item, x: x + along, y: y, w: len, h: thick });
        along += len;
      });
      if (w >= h) { x += thick; w -= thick; } else { y += thick; h -= thick; }
    }
    return out;
  }
  var MAX_TILES = 400;
  function drawTreemap() {
    var box = $("treemap");
    if (!$("tab-size").classList.contains("active")) return;
    box.innerHTML = "";
    var a = DATA.attribution;
    if (!a) {
      box.appendChild(el("p", { class: "empty", text: "Size attribution needs the generated script: give it with --script." }));
      return;
    }
    var items = sizeItems();
    if (items.length > MAX_TILES) {
      var rest = items.slice(MAX_TILES - 1), restBytes = 0;
      rest.forEach(function (it) { restBytes += it.bytes; });
      items = items.slice(0, MAX_TILES - 1).concat([{ name: "[" + rest.length + " smaller entries]", bytes: restBytes, other: true }]);
    }
    var tiles = squarify(items, 0, 0, box.clientWidth, box.clientHeight);
    tiles.forEach(function (t) {
      var it = t.item;
      var share = (100 * it.bytes / a.total).toFixed(1) + "%";
      var hue = it.source != null ? (Math.imul(it.source + 1, 2654435761) >>> 0) % 360 : (it.name.length * 47) % 360;
      var tile = el("div", {
        class: "tile" + (it.unmapped ? " unmapped" : ""),
        title: it.name + "\n" + bytes(it.bytes) + " (" + share + ")",
        style: "left:" + t.x + "px;top:" + t.y + "px;width:" + t.w + "px;height:" + t.h + "px;background:hsl(" + hue + ",60%,78%)"
      });
      if (t.w > 40 && t.h > 14) tile.textContent = shortName(it.name) + (t.h > 28 ? "\n" : " ") + bytes(it.bytes);
      tile.style.whiteSpace = "pre";
      if (it.source != null) tile.addEventListener("click", function () { showTab("code"); selectSource(it.source); });
      box.appendChild(tile);
    });
  }
  var sortKey = "bytes", sortAscending = false;
  var MAX_TABLE_ROWS = 5000;
  function drawSizeTable() {
    var table = $("size-table");
    var a = DATA.attribution;
    table.innerHTML = "";
    if (!a) return;
    $("size-summary").textContent = "script " + bytes(a.total) + " · mapped " + bytes(a.total - a.unmapped) +
      " · unmapped " + bytes(a.unmapped) + " (line terminators " + bytes(a.line_terminators) + ")";
    var items = sizeItems();
    var columns = [["name", sizeMode === "files" ? "original file" : "package", false], ["bytes", "bytes", true], ["share", "share", true]];
    if (sizeMode === "packages") columns.push(["sources", "sources", true]);
    items.forEach(function (it) { it.share = it.bytes / a.total; });
    items.sort(function (x, y) {
      var p = x[sortKey], q = y[sortKey];
      var c = typeof p === "string" ? String(p).localeCompare(String(q)) : (p || 0) - (q || 0);
      return sortAscending ? c : -c;
    });
    var head = el("tr", null, columns.map(function (c) {
      var th = el("th", { class: (c[2] ? "num" : "") + (c[0] === sortKey ? " sorted" + (sortAscending ? " asc" : "") : ""), text: c[1] });
      th.addEventListener("click", function () {
        if (sortKey === c[0]) sortAscending = !sortAscending; else { sortKey = c[0]; sortAscending = !c[2]; }
        drawSizeTable();
      });
      return th;
    }));
    table.appendChild(el("thead", null, [head]));
    var body = el("tbody");
    items.slice(0, MAX_TABLE_ROWS).forEach(function (it) {
      var name = el("td", { text: it.name }, [it.ignored ? el("span", { class: "tag ignored", text: "ignore-listed" }) : null]);
      var cells = [name, el("td", { class: "num", text: String(it.bytes) }), el("td", { class: "num", text: (100 * it.share).toFixed(2) + "%" })];
      if (sizeMode === "packages") cells.push(el("td", { class: "num", text: it.sources != null ? String(it.sources) : "" }));
      var tr = el("tr", { class: it.source != null ? "clickable" : "" }, cells);
      if (it.source != null) tr.addEventListener("click", function () { showTab("code"); selectSource(it.source); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    if (items.length > MAX_TABLE_ROWS) table.appendChild(el("caption", { text: "first " + MAX_TABLE_ROWS + " of " + items.length + " rows" }));
  }
  document.querySelectorAll('input[name="size-mode"]').forEach(function (radio) {
    radio.addEventListener("change", function () { sizeMode = radio.value; drawSizeTable(); drawTreemap(); });
  });

  // ---- facts -------------------------------------------------------------------------------
  function drawFacts() {
    var f = DATA.facts, box = $("facts");
    var rows = [
      ["map", (DATA.map_name || "") + " (" + bytes(f.map_bytes) + ")"],
      ["script", DATA.script_name ? DATA.script_name + (f.script ? " (" + bytes(f.script.bytes) + ")" : "") : "not given"],
      ["decoded", DATA.decoded ? "yes" : "no: the map cannot be decoded (see Diagnostics)"],
      ["kind", f.is_index_map ? "index map (sections)" : f.is_index_map === false ? "regular map" : "?"],
      ["file", f.file != null ? f.file : "—"],
      ["debug ID (map)", f.debug_id || "—"],
      ["debug ID (script comment)", f.script ? f.script.debug_id || "—" : "no script"],
      ["sourceMappingURL (script comment)", f.script ? f.script.source_mapping_url || "—" : "no script"],
      ["segments", f.token_count], ["generated lines", f.line_count], ["names", f.name_count],
      ["sources", f.source_count], ["ignore-listed sources", f.ignored_count + (f.ignore_list_field ? " (field " + f.ignore_list_field + ")" : " (no ignore list)")],
      ["range mappings", f.range_mappings ? f.range_mappings + " segments are range mappings" : "none"],
      ["scopes", f.scopes ? "present (the scopes field; not decoded here)" : "absent"]
    ];
    box.appendChild(el("table", null, rows.map(function (r) {
      return el("tr", null, [el("th", { text: r[0] }), el("td", { text: r[1] == null ? "—" : String(r[1]) })]);
    })));
    if (f.fields) {
      box.appendChild(el("h2", { text: "Top-level fields, as written" }));
      box.appendChild(el("table", null, [el("tr", null, [el("th", { text: "key" }), el("th", { text: "JSON type" }), el("th", { class: "num", text: "bytes" }), el("th", { text: "value" })])]
        .concat(f.fields.map(function (x) {
          return el("tr", null, [el("td", { text: x.key }), el("td", { text: x.type }), el("td", { class: "num", text: String(x.bytes) }),
            el("td", { text: x.value !== undefined ? JSON.stringify(x.value) : "" })]);
        }))));
    }
    if (f.sections) {
      box.appendChild(el("h2", { text: "Index-map sections (" + f.sections_total + ")" }));
      box.appendChild(el("table", null, [el("tr", null, ["#", "offset line", "offset column", "url", "sources", "ignore list", "bytes"].map(function (h) { return el("th", { text: h }); }))]
        .concat(f.sections.map(function (s, i) {
          return el("tr", null, [i, s.line, s.column, s.url, s.sources, s.ignore_list_field, s.bytes].map(function (v) { return el("td", { text: v == null ? "—" : String(v) }); }));
        }))));
    }
    if (sources.length) {
      box.appendChild(el("h2", { text: "Sources (" + sources.length + ")" }));
      var table = el("table", null, [el("tr", null, ["#", "source", "resolved URL", "content", "ignore list"].map(function (h) { return el("th", { text: h }); }))]);
      sources.slice(0, MAX_TABLE_ROWS).forEach(function (s, i) {
        var tr = el("tr", { class: "clickable" }, [el("td", { class: "num", text: String(i) }), el("td", { text: sourceName(i) }),
          el("td", { text: s.url || "—" }), el("td", { text: s.content != null ? bytes(s.content.length) : "none" }),
          el("td", { text: s.ignored ? "ignored" : "" })]);
        tr.addEventListener("click", function () { showTab("code"); selectSource(i); });
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
  }

  // ---- stack trace ----------------------------------------------------------------------------
  var V8_FRAME = /^\s*at\s+(?:(.*?)\s+\()?(.+?):(\d+):(\d+)\)?\s*$/;
  var GECKO_FRAME = /^\s*(.*?)@(.+?):(\d+):(\d+)\s*$/;
  function parseTrace(text) {
    var frames = [];
    text.split(/\r?\n/).forEach(function (raw) {
      var m = V8_FRAME.exec(raw) || GECKO_FRAME.exec(raw);
      if (m) frames.push({ raw: raw.trim(), fn: m[1] || "", url: m[2], line: +m[3], column: +m[4] });
    });
    return frames;
  }
  function scriptMatches(url) {
    if (!DATA.script_name) return true;
    var ours = shortName(DATA.script_name);
    var theirs = shortName(url.replace(/[?#].*$/, ""));
    return ours === theirs;
  }
  // Each frame's mapped position: the greatest-lower-bound segment of its line (trace
  // positions are 1-based), the offset added inside a range mapping.
  function resolveFrames(frames) {
    frames.forEach(function (f) {
      if (!scriptMatches(f.url)) { f.note = "another script"; return; }
      var line = f.line - 1, column = f.column - 1;
      var seg = generatedLine(line);
      var i = segmentAt(seg.col, seg.n, column);
      if (i < 0) { f.note = "no segment at or before this column"; return; }
      if (!(seg.flags[i] & 1)) { f.note = "the segment has no original position"; return; }
      var delta = seg.flags[i] & 4 ? column - seg.col[i] : 0;
      f.source = seg.src[i]; f.originalLine = seg.line[i]; f.originalColumn = seg.ocol[i] + delta;
      f.name = seg.flags[i] & 2 ? names[seg.name[i]] : null;
      f.generatedLine = line; f.generatedColumn = column;
    });
    frames.forEach(function (f, k) {
      // The function of the original source that encloses the position (parsed by
      // mapback from the source's content)...
      f.function = f.source != null ? enclosingFunction(f.source, f.originalLine, f.originalColumn) : null;
      // ...and the name the caller's call-site mapping gives its callee, when it has one.
      var caller = frames[k + 1];
      f.callee = caller && caller.source != null && caller.name ? caller.name : null;
    });
    return frames;
  }
  // The innermost function of `source` containing (line, column): functions come in
  // order of start, so it is the last one that contains the position.
  function enclosingFunction(source, line, column) {
    var table = DATA.functions, list = table && table.per_source[source];
    if (!list) return null;
    var inner = -1, named = -1;
    for (var k = 0; k < list.length; k += 5) {
      var startsBefore = list[k] < line || (list[k] === line && list[k + 1] <= column);
      if (!startsBefore) break;
      var endsAfter = list[k + 2] > line || (list[k + 2] === line && list[k + 3] > column);
      if (!endsAfter) continue;
      inner = k;
      if (list[k + 4] >= 0) named = k;
    }
    if (inner < 0) return "(top level)";
    if (list[inner + 4] >= 0) return table.names[list[inner + 4]];
    return "(anonymous)" + (named >= 0 ? " in " + table.names[list[named + 4]] : "");
  }
  function drawTrace() {
    var out = $("trace-output");
    out.innerHTML = "";
    var frames = resolveFrames(parseTrace($("trace-input").value));
    if (!frames.length) { out.appendChild(el("p", { text: "No frames recognised yet." })); return; }
    var table = el("table", { id: "trace-table" }, [el("tr", null, ["#", "frame as printed", "original position",
      "function (original source)", "callee at the caller's call site", "name at the position"].map(function (h) { return el("th", { text: h }); }))]);
    frames.forEach(function (f, k) {
      var resolved = f.source != null;
      var tr = el("tr", { class: resolved ? "clickable frame resolved" : "frame" }, [
        el("td", { class: "num", text: String(k) }),
        el("td", { text: f.raw }),
        el("td", { class: "original", text: resolved ? sourceName(f.source) + ":" + (f.originalLine + 1) + ":" + (f.originalColumn + 1) : "(" + f.note + ")" }),
        el("td", { class: "function", text: f.function || "—" }),
        el("td", { class: "callee", text: f.callee || "—" }),
        el("td", { class: "name", text: f.name || "—" })
      ]);
      if (resolved) tr.addEventListener("click", function () { goToGenerated(f.generatedLine, f.generatedColumn); });
      table.appendChild(tr);
    });
    out.appendChild(table);
    out.appendChild(el("p", { class: "info", text: "Lines and columns 1-based. The function is the one of the original source that encloses the position, as mapback parsed the source's content (— without content); the callee column is the name the caller's call-site mapping carries, when it has one. Nothing is guessed." }));
  }
  $("trace-input").addEventListener("input", drawTrace);

  // ---- start -----------------------------------------------------------------------------------
  $("title").textContent = (DATA.map_name || "source map") + (DATA.script_name ? "  ·  " + DATA.script_name : "");
  $("generated-title").textContent = "Generated" + (DATA.script_name ? ": " + DATA.script_name : "");
  var options = document.createDocumentFragment();
  sources.forEach(function (s, i) {
    options.appendChild(el("option", { value: String(i), text: i + ": " + sourceName(i) + (s.ignored ? " (ignored)" : "") + (s.content == null ? " (no content)" : "") }));
  });
  picker.appendChild(options);
  picker.addEventListener("change", function () { selectSource(+picker.value); });
  generated.setLines(scriptLines || [], DATA.decoded
    ? "The generated script was not given (mapback inspect MAP --script JS): the mappings are in the other tabs."
    : "The map cannot be decoded: see Diagnostics.");
  // Start on the source of the first mapped segment.
  var start = 0;
  for (var line = 0; line < generatedText.length && line < 1000; line++) {
    var seg = generatedLine(line), found = -1;
    for (var i = 0; i < seg.n; i++) if (seg.flags[i] & 1) { found = seg.src[i]; break; }
    if (found >= 0) { start = found; break; }
  }
  if (sources.length) selectSource(start);
  else original.setLines([], "The map has no sources.");
  drawDiagnostics();
  drawSizeTable();
  drawFacts();
  drawTrace();
  // The first frame is painted right after the animation frame's callbacks: the timer
  // set there fires once it is on screen. Tests and the benchmark read these two.
  requestAnimationFrame(function () {
    setTimeout(function () {
      window.mapbackFirstRender = performance.now();
      document.body.dataset.ready = "1";
    }, 0);
  });
})();
