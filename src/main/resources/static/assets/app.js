// queuectl dashboard: live counts on the overview, live lists with a pause toggle, live output on a
// running job's page (ANSI colours drawn), progress bars, relative times, the jobs list's bulk
// buttons, confirmations. Values go into the page as text (textContent), never as HTML strings.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf"]');

  // Live lists (issue 29): every part of a page marked data-live-list (its own id) is fetched again
  // from the same address (same filters, same page) every 3 s and swapped in whole, so a list shows
  // exactly what a reload would; the server renders it, not this script. One toggle in the menu
  // pauses every page's updates (kept in localStorage, so it holds across pages and tabs). A part
  // is left alone while the user types in one of its fields; picked boxes stay picked.
  const LIVE_KEY = "queuectl.live";
  const livePaused = () => localStorage.getItem(LIVE_KEY) === "paused";
  function liveToggle(hasLive) {
    const button = document.getElementById("live-toggle");
    if (!button || !hasLive) return;
    const draw = () => {
      const paused = livePaused();
      button.textContent = paused ? "Resume updates" : "Pause updates";
      button.title = paused ? "the lists stay as they are until resumed" : "lists update every few seconds";
      button.setAttribute("aria-pressed", String(paused));
      document.body.dataset.livePaused = String(paused);
    };
    button.classList.remove("hidden");
    button.addEventListener("click", () => {
      if (livePaused()) localStorage.removeItem(LIVE_KEY); else localStorage.setItem(LIVE_KEY, "paused");
      draw();
    });
    window.addEventListener("storage", e => { if (e.key === LIVE_KEY) draw(); });
    draw();
  }
  function liveLists() {
    const parts = () => [...document.querySelectorAll("[data-live-list][id]")];
    if (parts().length === 0) return false;
    let busy = false, turns = 0;
    async function refresh() {
      if (busy || livePaused() || document.hidden) return;
      busy = true;
      try {
        const res = await fetch(location.href, { cache: "no-store", credentials: "same-origin" });
        if (!res.ok || res.redirected) return; // logged out or gone: the page stays as it is
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const typing = document.activeElement && document.activeElement.matches("input:not([type=checkbox]), select, textarea");
        for (const part of parts()) {
          const fresh = doc.getElementById(part.id);
          if (!fresh || (typing && part.contains(document.activeElement))) continue;
          const picked = new Set([...part.querySelectorAll("input.pick:checked")].map(p => p.value));
          part.replaceChildren(...[...fresh.childNodes].map(n => document.importNode(n, true)));
          part.querySelectorAll("input.pick").forEach(p => { p.checked = picked.has(p.value); });
        }
        document.body.dataset.liveTurns = String(++turns); // how many updates came in (tests read it)
        document.dispatchEvent(new CustomEvent("queuectl:live"));
      } catch (e) { /* the server is restarting: try again next time */ }
      finally { busy = false; }
    }
    setInterval(refresh, 3000);
    return true;
  }

  function overview() {
    let tick = 0;
    async function refresh() {
      if (livePaused()) return;
      try {
        const status = await (await fetch("/api/status", { cache: "no-store" })).json();
        for (const [state, n] of Object.entries(status.jobs)) {
          const el = document.querySelector('[data-count="' + state + '"]');
          if (el) el.textContent = String(n);
        }
        workers(status.workers);
        const failed = status.notifications_failed || 0;
        document.querySelector("[data-notify-failed]").textContent = String(failed);
        document.getElementById("notify-failed").classList.toggle("hidden", failed === 0);
        // per-queue counts read the whole table (~0.5 s at a million jobs): every 5 s, not every second
        if (tick++ % 5 !== 0) return;
        const queues = await (await fetch("/api/queues", { cache: "no-store" })).json();
        const rows = document.querySelectorAll("#queues tbody tr");
        const known = new Map();
        rows.forEach(r => known.set(r.dataset.queue, r));
        let added = false;
        for (const q of queues) {
          const row = known.get(q.name);
          if (!row) { added = true; continue; }
          row.children[1].textContent = q.paused ? "paused" : "active";
          row.children[2].textContent = q.limit == null ? "-" : String(q.limit);
          row.querySelectorAll("[data-state]").forEach(td => td.textContent = String(q.jobs[td.dataset.state] || 0));
        }
        if (added) location.reload();
      } catch (e) { /* the server is restarting: try again next time */ }
    }
    // what a host offers, as the page first showed it: gpu=2,mem=64G (sizes in whole K/M/G/T)
    function resources(r) {
      const parts = Object.entries(r || {}).map(([name, n]) => {
        let p = 0;
        while (n >= 1024 && n % 1024 === 0 && p < 4) { n /= 1024; p++; }
        return name + "=" + n + (p ? "KMGT"[p - 1] : "");
      });
      return parts.length ? parts.join(",") : "-";
    }
    function workers(list) {
      const body = document.querySelector("#workers tbody");
      body.replaceChildren();
      for (const w of list) {
        const tr = document.createElement("tr");
        const first = document.createElement("td"), link = document.createElement("a");
        link.href = "/workers/" + encodeURIComponent(w.id);
        link.className = "worker";
        link.textContent = w.id;
        first.appendChild(link);
        tr.appendChild(first);
        for (const v of [w.hostname, w.pid, w.running.length + "/" + w.slots, w.queues == null ? "all" : w.queues,
            resources(w.resources)]) {
          const td = document.createElement("td");
          td.textContent = String(v);
          tr.appendChild(td);
        }
        const td = document.createElement("td");
        for (const id of w.running) {
          const a = document.createElement("a");
          a.href = "/jobs/" + encodeURIComponent(id);
          a.className = "chip";
          a.textContent = id;
          td.appendChild(a);
        }
        tr.appendChild(td);
        body.appendChild(tr);
      }
      document.getElementById("no-workers").classList.toggle("hidden", list.length > 0);
    }
    setInterval(refresh, 1000);
    setInterval(() => {
      document.getElementById("chart").src = "/chart.svg?t=" + Date.now();
    }, 15000);
  }

  // Progress bars (issue 27): every 2 s the running jobs' progress from the API, drawn with an ETA
  // at the pace so far (as PageFormat.eta counts it for the first paint).
  function eta(job) {
    const p = job.progress;
    if (!p || !job.started_at || p.done <= 0 || p.done >= p.total || job.state !== "processing") return "";
    const spent = Date.parse(p.at) - Date.parse(job.started_at);
    if (spent <= 0) return "";
    let s = Math.ceil(spent * (p.total - p.done) / p.done / 1000);
    const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    s = s % 60;
    return "ETA " + (h ? h + "h" : "") + (m ? m + "m" : "") + (s || (!h && !m) ? s + "s" : "");
  }
  function drawBar(cell, job) {
    const p = job.progress;
    if (!p) return;
    let bar = cell.querySelector(".bar");
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "bar";
      bar.dataset.bar = job.id;
      bar.innerHTML = '<span class="fill"></span><span class="label"></span>';
      cell.prepend(bar);
    }
    const pct = Math.min(100, Math.floor(p.done * 100 / p.total));
    bar.querySelector(".fill").style.width = pct + "%";
    bar.querySelector(".label").textContent =
      ((p.total === 100 ? p.done + "%" : p.done + "/" + p.total + " (" + pct + "%)") + " " + eta(job)).trim();
    const message = cell.querySelector(".progress-message");
    if (message) message.textContent = p.message || "";
  }
  function liveBars() {
    const cells = () => [...document.querySelectorAll("[data-progress][data-state=processing]")];
    if (cells().length === 0) return;
    async function refresh() {
      const running = cells();
      if (running.length === 0) return;
      try {
        const page = await (await fetch("/api/jobs?state=processing&limit=500", { cache: "no-store" })).json();
        const byId = new Map(page.jobs.map(j => [j.id, j]));
        for (const cell of running) {
          let job = byId.get(cell.dataset.progress);
          if (!job) { // it ended (or went back to wait): its state now, its bar without an ETA
            job = await (await fetch("/api/jobs/" + encodeURIComponent(cell.dataset.progress), { cache: "no-store" })).json();
            cell.dataset.state = job.state;
            const row = cell.closest("tr");
            const state = row && row.querySelector(".state");
            if (state) { state.textContent = job.state; state.className = "state " + job.state; }
          }
          drawBar(cell, job);
        }
      } catch (e) { /* the next turn tries again */ }
    }
    setInterval(refresh, 2000);
  }

  // Times (issue 29): a <time datetime> says how long ago or how soon ("3m12s ago", "in 4m"), as
  // PageFormat.ago first wrote it, and its title (shown on hover) the absolute time in the
  // browser's own zone; redrawn every 5 s.
  function span(s) {
    if (s < 60) return s + "s";
    if (s < 3600) return Math.floor(s / 60) + "m" + (s % 60 ? s % 60 + "s" : "");
    if (s < 86400) return Math.floor(s / 3600) + "h" + (Math.floor(s % 3600 / 60) ? Math.floor(s % 3600 / 60) + "m" : "");
    return Math.floor(s / 86400) + "d" + (Math.floor(s % 86400 / 3600) ? Math.floor(s % 86400 / 3600) + "h" : "");
  }
  function local(ms) {
    const d = new Date(ms), p = n => String(n).padStart(2, "0");
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":"
      + p(d.getMinutes()) + ":" + p(d.getSeconds()) + " " + zone;
  }
  function times() {
    const draw = () => {
      for (const t of document.querySelectorAll("time[datetime]")) {
        const at = Date.parse(t.getAttribute("datetime"));
        if (isNaN(at)) continue;
        const d = at - Date.now(), s = Math.floor(Math.abs(d) / 1000);
        t.textContent = s < 1 ? "now" : d < 0 ? span(s) + " ago" : "in " + span(s);
        t.title = local(at);
      }
    };
    draw();
    setInterval(draw, 5000);
    document.addEventListener("queuectl:live", draw);
  }

  // Bulk select on the jobs list (issue 29): the row boxes belong to the #bulk form; its buttons
  // count what is picked, and cancel of running jobs or a delete asks first.
  function bulk() {
    const form = document.getElementById("bulk");
    if (!form) return;
    const picks = () => [...document.querySelectorAll("input.pick")];
    const update = () => {
      const n = picks().filter(p => p.checked).length;
      document.getElementById("picked").textContent = n + " selected";
      form.querySelectorAll("button").forEach(b => { b.disabled = n === 0; });
      const all = document.getElementById("pick-all");
      if (all) all.checked = n > 0 && n === picks().length;
    };
    // on the document: a live update replaces the rows and the header's box
    document.addEventListener("change", e => {
      if (e.target.id === "pick-all") { picks().forEach(p => { p.checked = e.target.checked; }); update(); }
      else if (e.target.matches("input.pick")) update();
    });
    document.addEventListener("queuectl:live", update);
    update();
    form.addEventListener("submit", e => {
      const chosen = picks().filter(p => p.checked);
      const action = e.submitter ? e.submitter.value : "";
      const running = chosen.filter(p => p.dataset.state === "processing").length;
      let ask = null;
      if (action === "cancel" && running > 0) {
        ask = "Cancel " + chosen.length + " job(s)? " + running + " of them running: their commands are stopped.";
      } else if (action === "delete") {
        ask = "Delete " + chosen.length + " job(s) with their attempts and output?";
      }
      if (chosen.length === 0 || (ask && !window.confirm(ask))) e.preventDefault();
    });
  }

  // ANSI colours in a job's output (issue 29): SGR sequences (colours, bold, italic, underline;
  // 16, 256 and 24-bit colours) become spans, every other escape sequence is dropped. Fed chunk by
  // chunk (a followed job), it keeps its state and a sequence cut between two chunks.
  function ansiWriter(out) {
    let fg = null, bg = null, bold = false, italic = false, under = false, tail = "";
    const PALETTE = ["#000", "#c33", "#3a3", "#c90", "#36c", "#a3a", "#2aa", "#ccc",
      "#666", "#f55", "#5d5", "#fd5", "#59f", "#d6d", "#5dd", "#fff"];
    const c256 = n => {
      if (n < 16) return PALETTE[n];
      if (n >= 232) { const v = 8 + (n - 232) * 10; return "rgb(" + v + "," + v + "," + v + ")"; }
      n -= 16;
      const v = x => x === 0 ? 0 : 55 + x * 40;
      return "rgb(" + v(Math.floor(n / 36)) + "," + v(Math.floor(n / 6) % 6) + "," + v(n % 6) + ")";
    };
    function sgr(params) {
      const p = params === "" ? [0] : params.split(";").map(x => parseInt(x || "0", 10));
      for (let i = 0; i < p.length; i++) {
        const n = p[i];
        if (n === 0) { fg = bg = null; bold = italic = under = false; }
        else if (n === 1) bold = true;
        else if (n === 3) italic = true;
        else if (n === 4) under = true;
        else if (n === 22) bold = false;
        else if (n === 23) italic = false;
        else if (n === 24) under = false;
        else if (n >= 30 && n <= 37) fg = PALETTE[n - 30];
        else if (n >= 90 && n <= 97) fg = PALETTE[n - 82];
        else if (n === 39) fg = null;
        else if (n >= 40 && n <= 47) bg = PALETTE[n - 40];
        else if (n >= 100 && n <= 107) bg = PALETTE[n - 92];
        else if (n === 49) bg = null;
        else if ((n === 38 || n === 48) && p[i + 1] === 5 && p[i + 2] >= 0 && p[i + 2] <= 255) {
          const c = c256(p[i + 2]); if (n === 38) fg = c; else bg = c; i += 2;
        } else if ((n === 38 || n === 48) && p[i + 1] === 2 && p.length > i + 4) {
          const c = "rgb(" + p.slice(i + 2, i + 5).map(x => Math.min(255, Math.max(0, x | 0))).join(",") + ")";
          if (n === 38) fg = c; else bg = c; i += 4;
        }
      }
    }
    function text(t) {
      if (!t) return;
      if (fg === null && bg === null && !bold && !italic && !under) { out.append(t); return; }
      const span = document.createElement("span");
      span.className = "ansi";
      if (fg) span.style.color = fg;
      if (bg) span.style.backgroundColor = bg;
      if (bold) span.style.fontWeight = "bold";
      if (italic) span.style.fontStyle = "italic";
      if (under) span.style.textDecoration = "underline";
      span.textContent = t;
      out.append(span);
    }
    // CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), any other ESC + one character
    const SEQ = /\x1b(?:\[([0-9;?:<=>]*)([ -\/]*[@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;
    return function write(chunk) {
      let s = tail + chunk;
      tail = "";
      const cut = s.lastIndexOf("\x1b");
      if (cut >= 0 && cut > s.length - 64) { // maybe a sequence not complete yet: hold it for the next chunk
        const rest = s.slice(cut);
        SEQ.lastIndex = 0;
        const m = SEQ.exec(rest);
        if (!m || m.index !== 0) { tail = rest; s = s.slice(0, cut); }
      }
      let last = 0, m;
      SEQ.lastIndex = 0;
      while ((m = SEQ.exec(s)) !== null) {
        text(s.slice(last, m.index));
        if (m[2] === "m") sgr(m[1]);
        last = SEQ.lastIndex;
      }
      text(s.slice(last).replace(/\x1b/g, ""));
    };
  }
  function colourOutput() {
    const out = document.getElementById("output");
    if (!out || !out.textContent.includes("\x1b")) return;
    const raw = out.textContent;
    out.replaceChildren();
    ansiWriter(out)(raw);
  }

  function followOutput(id) {
    const out = document.getElementById("output");
    const source = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/output?follow=true");
    let first = true, write = null;
    source.addEventListener("output", ev => {
      if (first) { out.replaceChildren(); write = ansiWriter(out); first = false; }
      write(JSON.parse(ev.data));
      out.scrollTop = out.scrollHeight;
    });
    const done = () => {
      source.close();
      const state = document.getElementById("follow-state");
      if (state) state.textContent = "ended";
      setTimeout(() => location.reload(), 500);
    };
    source.addEventListener("end", done);
    source.addEventListener("failed", done);
    source.onerror = () => source.close();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const isOverview = document.body.dataset.live === "overview";
    if (isOverview) overview();
    liveToggle(liveLists() || isOverview);
    colourOutput();
    if (document.body.dataset.job && document.body.dataset.running === "true") followOutput(document.body.dataset.job);
    liveBars();
    times();
    bulk();
    // a form that undoes something asks first (its data-confirm says what); on the document, so
    // the forms of a list's rows ask too after a live update replaced them
    document.addEventListener("submit", e => {
      const form = e.target;
      if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });
  window.queuectlCsrf = csrf ? csrf.content : null;
})();
