// Ibex dashboard: polls /api/status and draws one card per sync. No external scripts; built with DOM calls only.
(function () {
  "use strict";
  var REFRESH_MS = 3000;
  var HOUR_MS = 3600 * 1000;
  var COLORS = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795"];
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

  function chart(sync, now) {
    var w = 600, h = 150, left = 44, right = 8, top = 8, bottom = 18;
    var series = sync.links.map(function (l, i) {
      var pts = (l.history || []).filter(function (p) { return p[1] !== null && p[0] >= now - HOUR_MS && p[0] <= now; });
      return { link: l, color: COLORS[i % COLORS.length], points: pts };
    });
    var max = 0, oldest = now;
    series.forEach(function (s) { s.points.forEach(function (p) { if (p[1] > max) max = p[1]; if (p[0] < oldest) oldest = p[0]; }); });
    max = Math.max(1, max * 1.15);
    // The last hour, or less while the daemon has not been up that long (never under five minutes).
    var span = Math.min(HOUR_MS, Math.max(5 * 60000, now - oldest));
    var x = function (t) { return left + (w - left - right) * (1 - (now - t) / span); };
    var y = function (v) { return top + (h - top - bottom) * (1 - v / max); };
    var total = 0;
    var g = [];
    [0, 0.5, 1].forEach(function (f) {
      var yy = y(max * f);
      g.push(svg("line", { "class": "grid", x1: left, x2: w - right, y1: yy.toFixed(1), y2: yy.toFixed(1) }));
      g.push(svg("text", { "class": "axis-label", x: left - 4, y: (yy + 3).toFixed(1), "text-anchor": "end", text: secs(max * f) }));
    });
    var spanMin = span / 60000;
    var step = [1, 2, 5, 10, 15, 20, 30, 60].filter(function (m) { return spanMin / m <= 5; })[0];
    for (var m = 0; m <= spanMin + 0.001; m += step) {
      var xx = x(now - m * 60000);
      g.push(svg("line", { "class": "grid", x1: xx.toFixed(1), x2: xx.toFixed(1), y1: top, y2: h - bottom }));
      g.push(svg("text", { "class": "axis-label", x: xx.toFixed(1), y: h - 5, "text-anchor": m === 0 ? "end" : m + step > spanMin + 0.001 ? "start" : "middle",
        text: m === 0 ? "now" : "-" + m + " min" }));
    }
    series.forEach(function (s) {
      total += s.points.length;
      if (s.points.length === 0) return;
      var pts = s.points.map(function (p) { return x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1); });
      if (pts.length === 1) pts.push((w - right).toFixed(1) + "," + y(s.points[0][1]).toFixed(1));
      g.push(svg("polyline", { points: pts.join(" "), stroke: s.color, "data-link": s.link.source + "->" + s.link.target }));
    });
    var chartSvg = svg("svg", { "class": "lag-chart", viewBox: "0 0 " + w + " " + h, preserveAspectRatio: "none", role: "img", "aria-label": "lag of the last hour", "data-points": total }, g);
    var legend = el("div", { "class": "legend" }, series.map(function (s) {
      return el("span", null, [el("span", { "class": "swatch", style: null, "data-color": s.color }), s.link.source + " \u2192 " + s.link.target]);
    }));
    // Swatch colours through the CSSOM (allowed by the page's content security policy, unlike style attributes).
    Array.prototype.forEach.call(legend.querySelectorAll(".swatch"), function (sw) { sw.style.background = sw.getAttribute("data-color"); });
    return el("div", { "class": "chart-wrap" }, [
      el("div", { "class": "chart-title" }, [el("span", { text: span >= HOUR_MS ? "Lag, last hour" : "Lag, last " + Math.round(span / 60000) + " min" }), el("span", { text: total + " samples" })]),
      chartSvg, legend]);
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
      var copy = l.copy && l.copy.tables_done < l.copy.tables_total
        ? " (copy " + l.copy.tables_done + "/" + l.copy.tables_total + ", " + bytes(l.copy.bytes_copied) + ")" : "";
      var tr = el("tr", { "class": "link", "data-link": l.source + "->" + l.target }, [
        el("td", { text: l.source + " \u2192 " + l.target }),
        el("td", null, [el("span", { "class": "badge badge-" + cls(l.state), text: l.state }), copy]),
        el("td", { "class": "num lag", text: secs(l.lag_seconds) }),
        el("td", { "class": "num", text: bytes(l.lag_bytes) }),
        el("td", { "class": "num rows-applied", text: num(l.rows_applied) }),
        el("td", { "class": "num rows-per-second", text: l.rows_per_second === null ? "–" : num(l.rows_per_second) }),
        el("td", { "class": "num", text: num(l.transactions) })
      ]);
      return l.error && l.state !== "streaming"
        ? [tr, el("tr", null, [el("td", { colspan: 7, "class": "link-error", text: l.error })])] : [tr];
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
      head, nodes, table, chart(sync, now),
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
