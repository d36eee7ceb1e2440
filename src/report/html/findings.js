// Builds the list of findings from the JSON in #reglint-data, with createElement and
// textContent only: no text of the data is ever parsed as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("reglint-data").textContent);
  var findings = data.findings;
  var PAGE = 100;
  var AUTO_OPEN = 200;
  var filterBox = document.getElementById("filter");
  var groupsEl = document.getElementById("groups");
  var shownEl = document.getElementById("shown");
  var haystacks = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function haystack(f) {
    return [f[0], f[1], f[3], f[4], f[5], f[6], f[7], placeOf(f)]
      .filter(function (x) { return x !== null && x !== undefined; })
      .join(" ").toLowerCase();
  }

  function groupKey(f, by) {
    return by === "rule" ? f[0] : (f[3] === null ? "(no account)" : f[3]);
  }

  function render() {
    var q = filterBox.value.trim().toLowerCase();
    var by = document.querySelector("input[name=group]:checked").value;
    if (q && !haystacks) haystacks = findings.map(haystack);
    var groups = new Map();
    var shown = 0;
    for (var i = 0; i < findings.length; i++) {
      if (q && haystacks[i].indexOf(q) < 0) continue;
      shown++;
      var k = groupKey(findings[i], by);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(i);
    }
    groupsEl.replaceChildren();
    Array.from(groups.keys()).sort().forEach(function (k) {
      groupsEl.appendChild(group(k, groups.get(k), by, shown <= AUTO_OPEN));
    });
    shownEl.textContent = shown + " of " + findings.length + " findings";
  }

  function group(k, idx, by, open) {
    var d = el("details", "group");
    d.dataset.group = k;
    var s = el("summary");
    s.appendChild(el("span", "gname", k));
    var rule = by === "rule" ? data.rules[k] : null;
    if (rule) s.appendChild(el("span", "gdesc", rule.name + ": " + rule.summary));
    s.appendChild(el("span", "gcount", idx.length));
    d.appendChild(s);
    var filled = false;
    function fillOnce() {
      if (filled) return;
      filled = true;
      fill(d, rule, k, idx);
    }
    d.addEventListener("toggle", function () { if (d.open) fillOnce(); });
    if (open) { d.open = true; fillOnce(); }
    return d;
  }

  function fill(d, rule, code, idx) {
    if (rule) {
      var doc = el("details", "doc");
      doc.appendChild(el("summary", null, "Documentation of " + code));
      doc.appendChild(el("pre", null, rule.doc));
      d.appendChild(doc);
    }
    var table = el("table");
    var head = el("tr");
    ["Severity", "Rule", "Item", "Account", "Attribute", "Message", "Fix"].forEach(function (h) {
      head.appendChild(el("th", null, h));
    });
    table.appendChild(el("thead")).appendChild(head);
    var body = table.appendChild(el("tbody"));
    d.appendChild(table);
    var more = el("button", "more");
    more.type = "button";
    var done = 0;
    function page() {
      var end = Math.min(idx.length, done + PAGE);
      for (; done < end; done++) body.appendChild(row(findings[idx[done]]));
      if (done < idx.length) {
        more.textContent = "Show " + Math.min(PAGE, idx.length - done) + " more (" + (idx.length - done) + " left)";
      } else {
        more.remove();
      }
    }
    more.addEventListener("click", page);
    d.appendChild(more);
    page();
  }

  function placeOf(f) {
    if (!Array.isArray(f[8])) return f[8];
    return data.sources[f[2]] + ":" + f[8][0] + ":" + f[8][1];
  }

  function row(f) {
    var tr = el("tr", "finding sev-" + f[1]);
    tr.appendChild(el("td", "sev", f[1]));
    tr.appendChild(el("td", "rule", f[0]));
    var item = el("td", "item");
    if (f[4]) item.appendChild(el("code", null, f[4]));
    item.appendChild(el("div", "place", placeOf(f)));
    tr.appendChild(item);
    tr.appendChild(el("td", "account", f[3]));
    tr.appendChild(el("td", "attribute", f[5]));
    tr.appendChild(el("td", "message", f[6]));
    tr.appendChild(el("td", "fix", f[7]));
    return tr;
  }

  var timer = null;
  filterBox.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(render, 150);
  });
  document.querySelectorAll("input[name=group]").forEach(function (r) {
    r.addEventListener("change", render);
  });
  // A link can carry a filter: page.html#q=RG101
  if (location.hash.indexOf("#q=") === 0) {
    filterBox.value = decodeURIComponent(location.hash.slice(3));
  }
  render();
  // How long the page took to be ready (parsing, data, first list), for measurements.
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
})();
