// queuectl dashboard: live counts on the overview, live output on a running job's page, progress bars,
// relative times, the jobs list's bulk buttons, confirmations.
// Values go into the page as text (textContent), never as HTML.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf"]');

  function overview() {
    let tick = 0;
    async function refresh() {
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
        for (const v of [w.id, w.hostname, w.pid, w.running.length + "/" + w.slots, w.queues == null ? "all" : w.queues,
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
  }

  // Bulk select on the jobs list (issue 29): the row boxes belong to the #bulk form; its buttons
  // count what is picked, and cancel of running jobs or a delete asks first.
  function bulk() {
    const form = document.getElementById("bulk");
    if (!form) return;
    const picks = () => [...document.querySelectorAll("input.pick")];
    const all = document.getElementById("pick-all");
    const update = () => {
      const n = picks().filter(p => p.checked).length;
      document.getElementById("picked").textContent = n + " selected";
      form.querySelectorAll("button").forEach(b => { b.disabled = n === 0; });
      if (all) all.checked = n > 0 && n === picks().length;
    };
    if (all) all.addEventListener("change", () => { picks().forEach(p => { p.checked = all.checked; }); update(); });
    picks().forEach(p => p.addEventListener("change", update));
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

  function followOutput(id) {
    const out = document.getElementById("output");
    const source = new EventSource("/api/jobs/" + encodeURIComponent(id) + "/output?follow=true");
    let first = true;
    source.addEventListener("output", ev => {
      if (first) { out.textContent = ""; first = false; }
      out.textContent += JSON.parse(ev.data);
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
    if (document.body.dataset.live === "overview") overview();
    if (document.body.dataset.job && document.body.dataset.running === "true") followOutput(document.body.dataset.job);
    liveBars();
    times();
    bulk();
    // a form that undoes something asks first (its data-confirm says what)
    for (const form of document.querySelectorAll("form[data-confirm]")) {
      form.addEventListener("submit", (e) => { if (!window.confirm(form.dataset.confirm)) e.preventDefault(); });
    }
  });
  window.queuectlCsrf = csrf ? csrf.content : null;
})();
