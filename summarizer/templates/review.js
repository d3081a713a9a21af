// Review page behaviour: click (or Enter) on an item highlights the sentences it cites, the URL
// fragment names the selected item, and the claim list can be filtered. No network, no innerHTML:
// every text from the brief stays text.
(function () {
  "use strict";
  var items = new Map();
  document.querySelectorAll("[data-item]").forEach(function (el) {
    items.set(el.getAttribute("data-item"), el);
  });
  var statusLine = document.getElementById("status");
  var lit = [];
  var saved = new Map(); // sentence element -> its text before figure marks were put in
  var current = null;

  function clear() {
    lit.forEach(function (el) { el.classList.remove("hl"); });
    saved.forEach(function (text, el) { el.textContent = text; });
    lit = [];
    saved.clear();
    if (current) {
      current.classList.remove("sel");
      current.setAttribute("aria-pressed", "false");
    }
    current = null;
  }

  // Wrap [start, end) ranges of a sentence's text in <mark>, built with text nodes only.
  function mark(el, ranges) {
    var text = el.textContent;
    saved.set(el, text);
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    el.textContent = "";
    var at = 0;
    ranges.forEach(function (range) {
      var start = Math.max(range[0], at), end = Math.min(range[1], text.length);
      if (end <= start) return;
      el.append(text.slice(at, start));
      var m = document.createElement("mark");
      m.textContent = text.slice(start, end);
      el.append(m);
      at = end;
    });
    el.append(text.slice(at));
  }

  function select(el, reveal) {
    clear();
    current = el;
    el.classList.add("sel");
    el.setAttribute("aria-pressed", "true");
    var docs = new Set();
    (el.getAttribute("data-cites") || "").split(" ").forEach(function (id) {
      var sentence = id && document.getElementById(id);
      if (!sentence) return;
      sentence.classList.add("hl");
      lit.push(sentence);
      docs.add(sentence.closest(".doc"));
    });
    var ranges = new Map();
    (el.getAttribute("data-marks") || "").split(" ").forEach(function (spec) {
      var parts = spec.split(":");
      var sentence = parts.length === 3 && document.getElementById(parts[0]);
      if (!sentence) return;
      if (!ranges.has(sentence)) ranges.set(sentence, []);
      ranges.get(sentence).push([Number(parts[1]), Number(parts[2])]);
    });
    ranges.forEach(function (list, sentence) { mark(sentence, list); });
    if (lit.length) lit[0].scrollIntoView({ block: "center" });
    if (reveal) el.scrollIntoView({ block: "start" }); // below the sticky header (scroll-margin-top)
    statusLine.textContent = el.getAttribute("data-item") + ": " + lit.length + " sentence(s) in " +
      docs.size + " document(s)";
  }

  function choose(el) {
    select(el, false);
    try {
      history.replaceState(null, "", "#" + encodeURIComponent(el.getAttribute("data-item")));
    } catch (e) {
      // some viewers refuse URL changes for local files; the selection itself still works
    }
  }

  function fromFragment() {
    var name;
    try {
      name = decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return;
    }
    var el = items.get(name);
    if (el) select(el, true);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("a, select, label")) return;
    var el = event.target.closest("[data-item]");
    if (el) choose(el);
  });
  document.addEventListener("keydown", function (event) {
    var el = event.target;
    if ((event.key === "Enter" || event.key === " ") && el.hasAttribute && el.hasAttribute("data-item")) {
      event.preventDefault();
      choose(el);
    }
  });
  window.addEventListener("hashchange", fromFragment);

  var bySource = document.getElementById("f-src");
  var bySide = document.getElementById("f-side");
  var count = document.getElementById("f-count");
  function filterClaims() {
    var source = bySource.value, side = bySide.value, shown = 0, all = 0;
    document.querySelectorAll(".claims > [data-srcs]").forEach(function (li) {
      var ok = (!source || li.getAttribute("data-srcs").split(" ").indexOf(source) >= 0) &&
        (!side || JSON.parse(li.getAttribute("data-sides")).indexOf(side) >= 0);
      li.hidden = !ok;
      all += 1;
      if (ok) shown += 1;
    });
    count.textContent = shown + " of " + all + " claims";
  }
  if (bySource && bySide) {
    bySource.addEventListener("change", filterClaims);
    bySide.addEventListener("change", filterClaims);
  }

  if (location.hash) fromFragment();
})();
