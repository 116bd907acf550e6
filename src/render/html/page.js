"use strict";
(function () {
  var CHUNK = 500;
  var data = JSON.parse(document.getElementById("tfnotify-data").textContent);
  var groupsEl = document.getElementById("groups");
  var shownEl = document.getElementById("shown");
  var moduleEl = document.getElementById("module-filter");
  var actionBoxes = document.querySelectorAll("#filters input[data-action]");
  var res = data.resources;
  var byAction = data.actions.map(function () { return []; });
  for (var i = 0; i < res.length; i++) byAction[res[i][1]].push(i);

  var groups = data.actions.map(function (action, a) {
    var el = document.createElement("details");
    el.className = "group";
    el.open = true;
    el.dataset.action = action[0];
    var summary = document.createElement("summary");
    var name = document.createElement("span");
    name.className = action[0];
    name.textContent = action[1];
    var count = document.createElement("span");
    count.className = "count";
    summary.append(name, " ", count);
    var list = document.createElement("ul");
    list.className = "rows";
    var more = document.createElement("button");
    more.type = "button";
    more.className = "more";
    el.append(summary, list, more);
    groupsEl.append(el);
    var group = { el: el, count: count, list: list, more: more, all: byAction[a], shown: byAction[a], done: 0 };
    more.addEventListener("click", function () { renderMore(group); });
    return group;
  });

  function row(i) {
    var r = res[i];
    var li = document.createElement("li");
    var d = document.createElement("details");
    d.className = "res";
    d.dataset.index = i;
    var s = document.createElement("summary");
    var code = document.createElement("code");
    code.textContent = r[0];
    s.append(code);
    if (r[4]) {
      var note = document.createElement("span");
      note.className = "reason";
      note.textContent = r[4];
      s.append(note);
    }
    d.append(s);
    li.append(d);
    return li;
  }

  function fill(d) {
    if (d.dataset.filled) return;
    d.dataset.filled = "1";
    var k = res[Number(d.dataset.index)][3];
    var body;
    if (k !== null) {
      body = document.createElement("pre");
      body.textContent = data.diffs[k];
    } else {
      body = document.createElement("p");
      body.className = "muted";
      body.textContent = data.no_diff;
    }
    d.append(body);
  }

  function renderMore(group) {
    var end = Math.min(group.done + CHUNK, group.shown.length);
    var frag = document.createDocumentFragment();
    for (var j = group.done; j < end; j++) frag.append(row(group.shown[j]));
    group.list.append(frag);
    group.done = end;
    var left = group.shown.length - end;
    group.more.hidden = left === 0;
    group.more.textContent = "Show " + Math.min(left, CHUNK) + " more (" + left + " left)";
  }

  function apply() {
    var mod = moduleEl ? Number(moduleEl.value) : -1;
    var wanted = {};
    actionBoxes.forEach(function (b) { wanted[b.dataset.action] = b.checked; });
    var shown = 0;
    groups.forEach(function (group) {
      group.shown = mod < 0 ? group.all : group.all.filter(function (i) { return res[i][2] === mod; });
      var on = wanted[group.el.dataset.action] !== false && group.shown.length > 0;
      group.el.hidden = !on;
      group.count.textContent = group.shown.length === group.all.length
        ? "(" + group.all.length + ")"
        : "(" + group.shown.length + " of " + group.all.length + ")";
      group.list.textContent = "";
      group.done = 0;
      if (on) {
        shown += group.shown.length;
        renderMore(group);
      }
    });
    shownEl.textContent = shown + " of " + res.length + " resources shown";
  }

  // The filters live in the address's fragment (`#actions=delete,replace&module=module.db`),
  // so a link or a bookmark opens the page filtered.
  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var acts = params.get("actions");
    if (acts !== null) {
      var on = acts.split(",");
      actionBoxes.forEach(function (b) { b.checked = on.indexOf(b.dataset.action) >= 0; });
    }
    var mod = params.get("module");
    if (moduleEl && mod !== null) {
      var found = data.modules.indexOf(mod);
      moduleEl.value = String(found);
    }
  }

  // `#open=ADDRESS` (with or without filters) draws that resource's row, opens its diff
  // and scrolls to it: a link to one resource.
  function openFromHash() {
    var address = new URLSearchParams(location.hash.slice(1)).get("open");
    if (address === null) return;
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g];
      var at = -1;
      for (var j = 0; j < group.shown.length; j++) {
        if (res[group.shown[j]][0] === address) { at = j; break; }
      }
      if (at < 0 || group.el.hidden) continue;
      while (group.done <= at) renderMore(group);
      var d = group.list.querySelector('details[data-index="' + group.shown[at] + '"]');
      d.open = true;
      fill(d);
      d.scrollIntoView();
      return;
    }
  }

  function writeHash() {
    var params = new URLSearchParams();
    var on = [];
    actionBoxes.forEach(function (b) { if (b.checked) on.push(b.dataset.action); });
    if (on.length !== actionBoxes.length) params.set("actions", on.join(","));
    if (moduleEl && Number(moduleEl.value) >= 0) params.set("module", data.modules[Number(moduleEl.value)]);
    var text = params.toString();
    history.replaceState(null, "", text ? "#" + text : location.pathname + location.search);
  }

  groupsEl.addEventListener("toggle", function (e) {
    if (e.target.classList && e.target.classList.contains("res") && e.target.open) fill(e.target);
  }, true);
  var filters = document.getElementById("filters");
  if (filters) filters.addEventListener("change", function () { writeHash(); apply(); });
  window.addEventListener("hashchange", function () { readHash(); apply(); openFromHash(); });
  window.addEventListener("beforeprint", function () {
    groupsEl.querySelectorAll("details").forEach(function (d) {
      if (d.classList.contains("res")) fill(d);
      d.open = true;
    });
  });
  readHash();
  apply();
  openFromHash();
  // When the list was drawn and when the first frame with it was painted, in ms since
  // the page was asked for: what "opens in under 2 s" is measured by.
  document.body.dataset.readyMs = Math.round(performance.now());
  requestAnimationFrame(function () {
    setTimeout(function () { document.body.dataset.paintedMs = Math.round(performance.now()); }, 0);
  });
})();
