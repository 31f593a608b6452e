// Ibex dashboard: polls /api/status and draws one card per sync. No external scripts; built with DOM calls only.
(function () {
  "use strict";
  var REFRESH_MS = 3000;
  var HOUR_MS = 3600 * 1000;
  var COLORS = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795"];
  var KIND_COLORS = ["#c53030", "#b7791f", "#6b46c1", "#2c7a7b", "#975a16", "#702459"];
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }
  function svg(tag, attrs, children) {
    var e = document.createElementNS(SVG, tag);
    setAttrs(e, attrs);
    append(e, children);
    return e;
  }
  function setAttrs(e, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined) return;
      if (k === "text") e.textContent = attrs[k]; else e.setAttribute(k, attrs[k]);
    });
  }
  function append(e, children) {
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
  }
  function cls(s) { return String(s || "unknown").replace(/[^a-z0-9]+/gi, "-").toLowerCase(); }
  function num(n) { return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"); }
  function secs(s) {
    if (s === null || s === undefined) return "–";
    if (s < 1) return Math.round(s * 1000) + " ms";
    if (s < 120) return s.toFixed(1) + " s";
    if (s < 7200) return (s / 60).toFixed(1) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  // A copy's progress (a link's total or one table's): tables, percent, rows, bytes, rate, time left.
  function copyText(c) {
    var parts = [];
    if (c.tables_total !== undefined) parts.push(c.tables_done + "/" + c.tables_total + " tables");
    if (c.percent !== null && c.percent !== undefined) parts.push(c.percent.toFixed(1) + "%");
    parts.push(num(c.rows_copied) + (c.rows_expected ? " of ~" + num(c.rows_expected) : "") + " rows");
    parts.push(bytes(c.bytes_copied));
    if (c.rows_per_second) parts.push(num(Math.round(c.rows_per_second)) + " rows/s");
    if (c.eta_seconds !== null && c.eta_seconds !== undefined) parts.push("ETA " + secs(c.eta_seconds));
    return parts.join(", ");
  }
  function bytes(b) {
    if (b === null || b === undefined) return "–";
    var u = ["B", "kB", "MB", "GB", "TB"], i = 0;
    while (b >= 1024 && i < u.length - 1) { b /= 1024; i++; }
    return (i === 0 ? b : b.toFixed(1)) + " " + u[i];
  }
  function time(iso) {
    if (!iso) return "";
    var d = new Date(iso);
    return d.toLocaleTimeString("en-GB", { hour12: false });
  }

  // A line chart of the last hour (or less while the daemon has not been up that long, never under five minutes):
  // one polyline per series of [time in ms, value] points.
  function lineChart(o) {
    var w = 600, h = 150, left = 44, right = 8, top = 8, bottom = 18, now = o.now;
    var series = o.series.map(function (s) {
      return { link: s.link, color: s.color, points: s.points.filter(function (p) { return p[1] !== null && p[1] !== undefined && p[0] >= now - HOUR_MS && p[0] <= now; }) };
    });
    var max = 0, oldest = now;
    series.forEach(function (s) { s.points.forEach(function (p) { if (p[1] > max) max = p[1]; if (p[0] < oldest) oldest = p[0]; }); });
    var top_ = Math.max(o.minMax, max * 1.15);
    var span = Math.min(HOUR_MS, Math.max(5 * 60000, now - oldest));
    var x = function (t) { return left + (w - left - right) * (1 - (now - t) / span); };
    var y = function (v) { return top + (h - top - bottom) * (1 - v / top_); };
    var total = 0;
    var g = grid(w, h, left, right, top, bottom, now, span, x, y, top_, o.format);
    series.forEach(function (s) {
      total += s.points.length;
      if (s.points.length === 0) return;
      var pts = s.points.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); });
      if (pts.length === 1) pts.push((w - right).toFixed(1) + "," + y(s.points[0][1]).toFixed(1));
      g.push(svg("polyline", { points: pts.join(" "), stroke: s.color, "data-link": s.link.source + "->" + s.link.target }));
    });
    var chartSvg = svg("svg", { "class": o.cls, viewBox: "0 0 " + w + " " + h, preserveAspectRatio: "none", role: "img", "aria-label": o.title, "data-points": total, "data-max": max }, g);
    var legend = el("div", { "class": "legend" }, series.map(function (s) {
      return el("span", null, [el("span", { "class": "swatch", "data-color": s.color }), s.link.source + " \u2192 " + s.link.target]);
    }));
    return el("div", { "class": "chart-wrap" }, [
      el("div", { "class": "chart-title" }, [el("span", { text: o.title + ", " + spanText(span) }), el("span", { text: total + " samples" })]),
      chartSvg, legend]);
  }

  function spanText(span) { return span >= HOUR_MS ? "last hour" : "last " + Math.round(span / 60000) + " min"; }

  // Horizontal lines at 0, half and the top of the scale; vertical ones every few minutes back from now.
  function grid(w, h, left, right, top, bottom, now, span, x, y, max, format) {
    var g = [];
    [0, 0.5, 1].forEach(function (f) {
      var yy = y(max * f);
      g.push(svg("line", { "class": "grid", x1: left, x2: w - right, y1: yy.toFixed(1), y2: yy.toFixed(1) }));
      g.push(svg("text", { "class": "axis-label", x: left - 4, y: (yy + 3).toFixed(1), "text-anchor": "end", text: format(max * f) }));
    });
    var spanMin = span / 60000;
    var step = [1, 2, 5, 10, 15, 20, 30, 60].filter(function (m) { return spanMin / m <= 5; })[0];
    for (var m = 0; m <= spanMin + 0.001; m += step) {
      var xx = x(now - m * 60000);
      g.push(svg("line", { "class": "grid", x1: xx.toFixed(1), x2: xx.toFixed(1), y1: top, y2: h - bottom }));
      g.push(svg("text", { "class": "axis-label", x: xx.toFixed(1), y: h - 5, "text-anchor": m === 0 ? "end" : m + step > spanMin + 0.001 ? "start" : "middle",
        text: m === 0 ? "now" : "-" + m + " min" }));
    }
    return g;
  }

  function lagChart(sync, now) {
    return lineChart({ cls: "lag-chart", title: "Lag", now: now, minMax: 1, format: secs, series: sync.links.map(function (l, i) {
      return { link: l, color: COLORS[i % COLORS.length], points: (l.history || []).map(function (p) { return [p[0], p[1]]; }) };
    }) });
  }

  function rateChart(sync, now) {
    return lineChart({ cls: "rate-chart", title: "Rows/s", now: now, minMax: 10, format: function (v) { return num(Math.round(v)); }, series: sync.links.map(function (l, i) {
      return { link: l, color: COLORS[i % COLORS.length], points: (l.history || []).map(function (p) { return [p[0], p.length > 2 ? p[2] : null]; }) };
    }) });
  }

  // Conflicts per minute of the last hour, one stacked bar per minute, one colour per kind.
  function conflictChart(sync, now) {
    var ch = sync.conflict_history || { kinds: [], points: [] };
    var w = 600, h = 90, left = 44, right = 8, top = 8, bottom = 18, bins = 60;
    var counts = [];
    for (var b = 0; b < bins; b++) counts.push(ch.kinds.map(function () { return 0; }));
    var total = 0;
    ch.points.forEach(function (p) {
      var bin = bins - 1 - Math.floor((now - p[0]) / 60000);
      if (bin < 0 || bin >= bins) return;
      for (var k = 0; k < ch.kinds.length; k++) { counts[bin][k] += p[k + 1]; total += p[k + 1]; }
    });
    var max = Math.max(1, Math.max.apply(null, counts.map(function (c) { return c.reduce(function (a, v) { return a + v; }, 0); })));
    var bw = (w - left - right) / bins;
    var y = function (v) { return top + (h - top - bottom) * (1 - v / max); };
    var g = [0, 1].map(function (f) { return svg("text", { "class": "axis-label", x: left - 4, y: (y(max * f) + 3).toFixed(1), "text-anchor": "end", text: String(Math.round(max * f)) }); });
    g.push(svg("line", { "class": "grid", x1: left, x2: w - right, y1: y(0).toFixed(1), y2: y(0).toFixed(1) }));
    g.push(svg("text", { "class": "axis-label", x: w - right, y: h - 5, "text-anchor": "end", text: "now" }));
    g.push(svg("text", { "class": "axis-label", x: left, y: h - 5, "text-anchor": "start", text: "-60 min" }));
    counts.forEach(function (c, bin) {
      var base = 0;
      c.forEach(function (v, k) {
        if (v === 0) return;
        g.push(svg("rect", { "class": "bar", x: (left + bin * bw + 0.5).toFixed(1), width: Math.max(1, bw - 1).toFixed(1), y: y(base + v).toFixed(1),
          height: (y(base) - y(base + v)).toFixed(1), fill: KIND_COLORS[k % KIND_COLORS.length], "data-kind": ch.kinds[k], "data-count": v }));
        base += v;
      });
    });
    var legend = el("div", { "class": "legend" }, ch.kinds.length ? ch.kinds.map(function (kind, k) {
      return el("span", null, [el("span", { "class": "swatch", "data-color": KIND_COLORS[k % KIND_COLORS.length] }), kind]);
    }) : [el("span", { text: "no conflicts since the daemon started" })]);
    return el("div", { "class": "chart-wrap conflicts-wrap" }, [
      el("div", { "class": "chart-title" }, [el("span", { text: "Conflicts per minute by kind, last hour" }), el("span", { text: total + " conflicts" })]),
      svg("svg", { "class": "conflict-chart", viewBox: "0 0 " + w + " " + h, preserveAspectRatio: "none", role: "img", "aria-label": "conflicts per minute by kind", "data-kinds": ch.kinds.length, "data-total": total }, g),
      legend]);
  }

  function stateClass(state) {
    if (state === "streaming" || state === "idle") return "ok";
    if (state === "copying" || state === "connecting" || state === "starting") return "info";
    if (state === "paused") return "paused";
    return "bad";
  }

  // Every node once and every link of every sync once, left to right: a node sits one column after the nodes that
  // send to it one way (cascades go on to the right); multi-master peers, which send to each other, share a column.
  function topology(syncs) {
    var nodes = [], byName = {}, links = [];
    function node(name) {
      if (!byName[name]) { byName[name] = { name: name, roles: {}, level: 0 }; nodes.push(byName[name]); }
      return byName[name];
    }
    syncs.forEach(function (s) {
      s.nodes.forEach(function (n) { node(n.name).roles[n.role] = true; });
      s.links.forEach(function (l) { node(l.source); node(l.target); links.push({ sync: s.name, link: l }); });
    });
    var pair = {};
    links.forEach(function (x) { pair[x.link.source + "\u0000" + x.link.target] = true; });
    for (var round = 0; round < nodes.length; round++)
      links.forEach(function (x) {
        if (pair[x.link.target + "\u0000" + x.link.source]) return;
        var a = byName[x.link.source], b = byName[x.link.target];
        if (b.level < a.level + 1) b.level = Math.min(nodes.length, a.level + 1);
      });
    var columns = [];
    nodes.forEach(function (n) { (columns[n.level] = columns[n.level] || []).push(n); });
    columns = columns.filter(function (c) { return c; });
    var colW = 270, rowH = 96, nw = 124, nh = 42, pad = 30, zig = 72;
    var rows = Math.max.apply(null, columns.map(function (c) { return c.length; }).concat([1]));
    var w = Math.max(600, pad * 2 + 2 * zig + nw + (columns.length - 1) * colW), h = pad * 2 + nh + (rows - 1) * rowH;
    columns.forEach(function (c, ci) {
      c.forEach(function (n, ri) {
        // Peers linked within a column zigzag, so a link between two of them never crosses the one between.
        var peers = links.some(function (x) { return c.indexOf(byName[x.link.source]) >= 0 && c.indexOf(byName[x.link.target]) >= 0; });
        n.x = pad + zig + nw / 2 + ci * colW + (columns.length === 1 ? (w - 2 * pad - 2 * zig - nw) / 2 : 0) + (peers && c.length > 2 ? (ri % 2 ? zig : -zig) : 0);
        n.y = pad + nh / 2 + ri * rowH + (rows - c.length) * rowH / 2;
      });
    });
    var g = [svg("defs", null, ["ok", "info", "paused", "bad"].map(function (k) {
      return svg("marker", { id: "arrow-" + k, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        [svg("path", { d: "M0,0 L10,5 L0,10 z", "class": "arrow arrow-" + k })]);
    }))];
    // Links between the same two nodes (both directions, or several syncs) curve apart.
    var groups = {};
    links.forEach(function (x) {
      var k = [x.link.source, x.link.target].sort().join("\u0000");
      (groups[k] = groups[k] || []).push(x);
    });
    Object.keys(groups).forEach(function (k) {
      var group = groups[k];
      group.forEach(function (x, i) {
        var a = byName[x.link.source], b = byName[x.link.target];
        var lo = a.name < b.name ? a : b, hi = a.name < b.name ? b : a;
        var dx = hi.x - lo.x, dy = hi.y - lo.y, len = Math.max(1, Math.sqrt(dx * dx + dy * dy));
        var bend = group.length === 1 ? 0 : (i - (group.length - 1) / 2) * 56;
        var cx = (a.x + b.x) / 2 - dy / len * bend, cy = (a.y + b.y) / 2 + dx / len * bend;
        var p0 = edge(a, cx, cy, nw, nh), p2 = edge(b, cx, cy, nw, nh);
        // The label sits past the middle, towards the target: the labels of A → B and B → A do not meet.
        var t = group.length > 1 ? 0.65 : 0.5;
        var mx = (1 - t) * (1 - t) * p0[0] + 2 * (1 - t) * t * cx + t * t * p2[0], my = (1 - t) * (1 - t) * p0[1] + 2 * (1 - t) * t * cy + t * t * p2[1];
        var state = x.link.state, kind = stateClass(state);
        var label = (state === "streaming" || state === "idle" ? "" : state + " ") + "lag " + secs(x.link.lag_seconds);
        g.push(svg("g", { "class": "topo-link state-" + cls(state) + " link-" + kind, "data-sync": x.sync, "data-link": x.link.source + "->" + x.link.target, "data-state": state }, [
          svg("title", { text: "sync " + x.sync + ": " + x.link.source + " \u2192 " + x.link.target + ", " + state + ", lag " + secs(x.link.lag_seconds) }),
          svg("path", { "class": "edge", d: "M" + p0[0].toFixed(1) + "," + p0[1].toFixed(1) + " Q" + cx.toFixed(1) + "," + cy.toFixed(1) + " " + p2[0].toFixed(1) + "," + p2[1].toFixed(1), "marker-end": "url(#arrow-" + kind + ")" }),
          svg("text", { "class": "edge-label", x: mx.toFixed(1), y: (my - 4).toFixed(1), "text-anchor": "middle", text: label })
        ]));
      });
    });
    nodes.forEach(function (n) {
      var roles = Object.keys(n.roles).sort().reverse().join(" + ") || "node";
      g.push(svg("g", { "class": "topo-node " + Object.keys(n.roles).map(function (r) { return "role-" + r; }).join(" "), "data-node": n.name }, [
        svg("rect", { x: (n.x - nw / 2).toFixed(1), y: (n.y - nh / 2).toFixed(1), width: nw, height: nh, rx: 8 }),
        svg("text", { "class": "node-name", x: n.x.toFixed(1), y: (n.y - 2).toFixed(1), "text-anchor": "middle", text: n.name }),
        svg("text", { "class": "node-role", x: n.x.toFixed(1), y: (n.y + 13).toFixed(1), "text-anchor": "middle", text: roles })
      ]));
    });
    return [el("h2", { "class": "section-title", text: "Topology" }),
      svg("svg", { "class": "topology", viewBox: "0 0 " + w + " " + h, width: w, height: h, role: "img", "aria-label": "nodes and links", "data-nodes": nodes.length, "data-links": links.length }, g)];
  }

  // Where the line from the control point to a node's centre meets the node's box.
  function edge(n, cx, cy, nw, nh) {
    var dx = cx - n.x, dy = cy - n.y;
    if (dx === 0 && dy === 0) return [n.x, n.y];
    var t = Math.min(dx === 0 ? Infinity : (nw / 2 + 3) / Math.abs(dx), dy === 0 ? Infinity : (nh / 2 + 3) / Math.abs(dy));
    return [n.x + dx * t, n.y + dy * t];
  }

  function card(sync, now) {
    var head = el("div", { "class": "card-head" }, [
      el("h2", { text: sync.name }),
      el("span", { "class": "badge state badge-" + cls(sync.state), text: sync.state })
    ]);
    var nodes = el("div", { "class": "nodes" }, sync.nodes.map(function (n) {
      return el("span", { "class": "node " + n.role }, [n.name, el("span", { "class": "role", text: n.role })]);
    }));
    var rows = sync.links.map(function (l) {
      var copying = l.copy && l.copy.tables_done < l.copy.tables_total;
      var copy = copying ? el("span", { "class": "copy-progress", text: " copy " + copyText(l.copy) }) : "";
      var tr = el("tr", { "class": "link", "data-link": l.source + "->" + l.target }, [
        el("td", { text: l.source + " \u2192 " + l.target }),
        el("td", null, [el("span", { "class": "badge badge-" + cls(l.state), text: l.state }), copy]),
        el("td", { "class": "num lag", text: secs(l.lag_seconds) }),
        el("td", { "class": "num", text: bytes(l.lag_bytes) }),
        el("td", { "class": "num rows-applied", text: num(l.rows_applied) }),
        el("td", { "class": "num rows-per-second", text: l.rows_per_second === null ? "–" : num(l.rows_per_second) }),
        el("td", { "class": "num", text: num(l.transactions) })
      ]);
      var tables = copying ? l.copy.tables.filter(function (t) { return t.state === "copying"; }).map(function (t) {
        return el("tr", { "class": "copy-table" }, [el("td", { colspan: 7 }, [
          el("progress", { max: "100", value: String(t.percent === null ? 0 : t.percent) }),
          " " + t.schema + "." + t.table + " \u2192 " + t.target + ": " + copyText(t)])]);
      }) : [];
      var rowsOut = [tr].concat(tables);
      return l.error && l.state !== "streaming"
        ? rowsOut.concat([el("tr", null, [el("td", { colspan: 7, "class": "link-error", text: l.error })])]) : rowsOut;
    }).reduce(function (a, b) { return a.concat(b); }, []);
    var table = el("table", { "class": "links" }, [
      el("thead", null, [el("tr", null, ["Link", "State", "Lag", "Behind", "Rows applied", "Rows/s", "Txns"].map(function (h, i) {
        return el("th", { "class": i >= 2 ? "num" : null, text: h });
      }))]),
      el("tbody", null, rows)
    ]);
    var errors = (sync.recent_errors || []).map(function (e) {
      return el("li", null, [el("span", { "class": "when", text: time(e.at) }), (e.node ? e.node + ": " : "") + e.message]);
    });
    var conflicts = (sync.recent_conflicts || []).map(function (c) {
      return el("li", null, [el("span", { "class": "when", text: time(c.at) }), c.kind + " on " + c.table + " " + c.key + " (" + c.winner + " won, at " + c.node + ")"]);
    });
    var lists = el("div", { "class": "lists" }, [
      el("div", { "class": "errors" }, [el("h3", { text: "Recent errors" }), el("ul", null, errors.length ? errors : [el("li", { "class": "none", text: "none in the last hour" })])]),
      el("div", { "class": "conflicts" }, [el("h3", { text: "Recent conflicts" }), el("ul", null, conflicts.length ? conflicts : [el("li", { "class": "none", text: "none in the last hour" })])])
    ]);
    var slots = (sync.slots || []).map(function (s) {
      return s.source + ": slot " + s.slot + " " + (s.error ? s.error : "retains " + bytes(s.retained_bytes) + (s.active ? "" : " (inactive)"));
    });
    return el("article", { "class": "sync-card state-" + cls(sync.state), "data-sync": sync.name }, [
      head, nodes, table,
      el("div", { "class": "charts" }, [lagChart(sync, now), rateChart(sync, now)]),
      conflictChart(sync, now),
      slots.length ? el("div", { "class": "slots", text: slots.join(" · ") }) : null,
      lists
    ]);
  }

  function render(data) {
    var now = Date.parse(data.generated_at);
    var health = document.getElementById("health");
    health.textContent = data.healthy ? "healthy" : "unhealthy";
    health.className = "badge badge-" + (data.healthy ? "ok" : "unhealthy");
    document.getElementById("daemon").textContent = "daemon up " + secs(data.daemon.uptime_seconds);
    document.getElementById("updated").textContent = "updated " + time(data.generated_at);
    var problem = document.getElementById("problem");
    problem.hidden = data.daemon.control_database_up;
    problem.textContent = data.daemon.control_database_up ? "" : "The control database cannot be read; showing the last known state.";
    var box = document.getElementById("syncs");
    var cards = data.syncs.map(function (s) { return card(s, now); });
    box.replaceChildren.apply(box, cards);
    var topo = document.getElementById("topology");
    topo.hidden = data.syncs.length === 0;
    topo.replaceChildren.apply(topo, data.syncs.length ? topology(data.syncs) : []);
    // Swatch colours through the CSSOM (allowed by the page's content security policy, unlike style attributes).
    Array.prototype.forEach.call(document.querySelectorAll(".swatch"), function (sw) { sw.style.background = sw.getAttribute("data-color"); });
    document.getElementById("empty").hidden = data.syncs.length > 0;
    document.body.setAttribute("data-loaded", "true");
  }

  function refresh() {
    fetch("/api/status", { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(render)
      .catch(function (e) {
        var problem = document.getElementById("problem");
        problem.hidden = false;
        problem.textContent = "Cannot reach the daemon (" + e.message + "); retrying.";
      })
      .then(function () { setTimeout(refresh, REFRESH_MS); });
  }
  refresh();
})();
