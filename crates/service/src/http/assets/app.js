// senroute web app: upload, watch, map, runs. Plain script, no libraries;
// everything comes from this server (/api/v1).
"use strict";

const FILES = ["pupils", "schools", "fleet"];
const SVG = "http://www.w3.org/2000/svg";
const state = {
  key: sessionStorage.getItem("senroute-key") || "",
  needsKey: false,
  files: {},
  job: null,
  plan: null,
  map: null,
  selectedRun: null,
  view: null,
  timeLimit: 30,
  locks: new Set(),
  previousJob: null,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function headers() {
  return state.key ? { Authorization: "Bearer " + state.key } : {};
}

async function api(path, opts = {}) {
  const r = await fetch(path, { ...opts, headers: { ...headers(), ...(opts.headers || {}) } });
  if (r.status === 401 && state.needsKey) {
    askKey("That key was refused: " + (await r.json().catch(() => ({}))).error);
    throw new Error("unauthorised");
  }
  return r;
}

const money = (x) => "£" + Number(x).toLocaleString("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
function clock(s) {
  if (s === null || s === undefined || !isFinite(s)) return "–";
  const m = Math.round(s / 60);
  return String(Math.floor(m / 60) % 24).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
}
const minutes = (s) => (s / 60).toFixed(1) + " min";
const vehicleName = (r) => r.vehicle_type + " #" + (r.vehicle_index + 1);

// ---- key -----------------------------------------------------------------

function askKey(message) {
  $("key-panel").hidden = false;
  $("app").hidden = true;
  $("key-error").textContent = message || "";
  $("key-input").focus();
}

$("key-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  state.key = $("key-input").value.trim();
  const r = await fetch("/api/v1/jobs/job_check_key", { headers: headers() });
  if (r.status === 401) {
    $("key-error").textContent = "That key was refused: " + (await r.json()).error;
    return;
  }
  sessionStorage.setItem("senroute-key", state.key);
  $("key-panel").hidden = true;
  $("app").hidden = false;
  $("who").textContent = "Signed in with your borough's key";
});

// ---- upload ----------------------------------------------------------------

function setFile(name, file) {
  state.files[name] = file;
  $("chosen-" + name).textContent = file ? file.name + " (" + Math.ceil(file.size / 1024) + " KB)" : "Drop the file here or choose it";
  $("problems-" + name).replaceChildren();
  document.querySelector(`.drop[data-file="${name}"]`).classList.toggle("has-file", !!file);
}

for (const name of FILES) {
  const zone = document.querySelector(`.drop[data-file="${name}"]`);
  const input = $("file-" + name);
  input.addEventListener("change", () => setFile(name, input.files[0]));
  zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    const files = [...ev.dataTransfer.files];
    // Three files dropped at once go where their names say.
    if (files.length > 1) {
      for (const f of files) {
        const target = FILES.find((n) => f.name.toLowerCase().includes(n));
        if (target) setFile(target, f);
      }
    } else if (files[0]) {
      setFile(name, files[0]);
    }
  });
}

function showProblems(problems) {
  for (const n of [...FILES, "options"]) $("problems-" + n).replaceChildren();
  for (const p of problems) {
    const list = $("problems-" + (p.upload || "options"));
    const where = [p.file, p.line ? "line " + p.line : null, p.column ? "column " + p.column : null].filter(Boolean).join(", ");
    list.append(el("li", { class: "problem" },
      el("span", { class: "where" }, "⚠ " + where + ": "),
      p.problem,
      p.value ? el("span", {}, " (value “", el("code", {}, p.value), "”)") : null,
      p.fix ? el("span", { class: "fix" }, " — " + p.fix) : null));
  }
  const first = document.querySelector(".problem");
  if (first) first.scrollIntoView({ block: "center" });
}

$("upload-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const form = new FormData();
  for (const n of FILES) if (state.files[n]) form.append(n, state.files[n], state.files[n].name);
  form.append("session", $("session").value);
  form.append("time_limit", $("time-limit").value);
  state.timeLimit = Number($("time-limit").value) || 30;
  $("plan-button").disabled = true;
  try {
    const r = await api("/api/v1/jobs", { method: "POST", body: form });
    const body = await r.json();
    if (r.status === 400) {
      showProblems(body.problems || [{ problem: body.error }]);
      return;
    }
    if (r.status !== 202) {
      showProblems([{ problem: body.error || "the server answered " + r.status }]);
      return;
    }
    showProblems([]);
    state.locks.clear();
    state.previousJob = null;
    startJob(body.job);
  } catch (e) {
    showProblems([{ problem: "cannot reach the server: " + e.message }]);
  } finally {
    $("plan-button").disabled = false;
  }
});

// ---- progress ---------------------------------------------------------------

function showJob(job) {
  state.job = job;
  const p = job.progress;
  const words = { queued: "Waiting for a planner…", running: "Searching for better plans…", succeeded: "Done: the plan passed every rule check.", failed: "Planning failed: " + job.failure_reason, cancelled: "Cancelled." };
  $("job-state").textContent = (words[job.state] || job.state) + " (job " + job.id + ")";
  $("job-state").dataset.state = job.state;
  if (p) {
    $("kpi-cost").textContent = money(p.best_cost);
    $("kpi-vehicles").textContent = p.vehicles;
    $("kpi-unassigned").textContent = p.unassigned;
    $("kpi-elapsed").textContent = p.elapsed_seconds.toFixed(1) + " s";
    $("elapsed-bar").max = state.timeLimit;
    $("elapsed-bar").value = Math.min(p.elapsed_seconds, state.timeLimit);
  }
}

async function startJob(job) {
  $("progress-panel").hidden = false;
  $("progress-panel").classList.remove("done");
  $("result-panel").hidden = true;
  showJob(job);
  history.replaceState(null, "", "#" + job.id);
  await watch(job.id);
}

async function watch(id) {
  let final = null;
  try {
    const r = await api("/api/v1/jobs/" + id + "/events");
    if (!r.ok) throw new Error("events " + r.status);
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
        if (!data) continue;
        const msg = JSON.parse(data);
        if (msg.job) {
          showJob(msg.job);
          if (["succeeded", "failed", "cancelled"].includes(msg.job.state)) final = msg.job;
        }
      }
      if (final) { reader.cancel().catch(() => {}); break; }
    }
  } catch (e) {
    // fall back to polling below
  }
  while (!final) {
    const r = await api("/api/v1/jobs/" + id);
    const body = await r.json();
    if (!r.ok) { $("job-state").textContent = body.error; return; }
    showJob(body.job);
    if (["succeeded", "failed", "cancelled"].includes(body.job.state)) final = body.job;
    else await new Promise((res) => setTimeout(res, 1000));
  }
  if (final.state === "succeeded") await loadPlan(id);
}

// ---- plan -------------------------------------------------------------------

async function loadPlan(id) {
  const pr = await api("/api/v1/jobs/" + id + "/plan");
  if (!pr.ok) { $("job-state").textContent = "cannot load the plan"; return; }
  const plan = await pr.json();
  // A day plan is {am, pm, continuity, totals}; a session plan has routes.
  state.day = plan.am && plan.pm ? plan : null;
  state.single = state.day ? null : plan;
  state.maps = {};
  state.jobId = id;
  $("result-panel").hidden = false;
  renderDownloads(id);
  $("session-toggle").hidden = !state.day;
  await showSession(state.day ? "am" : plan.session);
  await renderChanges();
  // The plan replaces the progress figures (its totals say the same), and
  // comes into view with the keyboard focus on its heading.
  $("progress-panel").classList.add("done");
  $("result-title").focus({ preventScroll: true });
  $("result-panel").scrollIntoView({ block: "start" });
  scaleMarks();
}

// Shows one session's plan: of a day plan, the AM or the PM.
async function showSession(session) {
  if (!state.maps[session]) {
    const q = state.day ? "?session=" + session : "";
    const mr = await api("/api/v1/jobs/" + state.jobId + "/map" + q);
    if (!mr.ok) { $("job-state").textContent = "cannot load the map"; return; }
    state.maps[session] = await mr.json();
  }
  state.session = session;
  state.plan = state.day ? state.day[session] : state.single;
  state.map = state.maps[session];
  state.selectedRun = null;
  for (const b of document.querySelectorAll("#session-toggle button")) {
    b.setAttribute("aria-pressed", b.dataset.session === session ? "true" : "false");
  }
  renderTotals();
  renderMap();
  renderRuns();
  renderUnassigned();
  $("run-detail").replaceChildren();
  $("pupil-detail").replaceChildren();
  $("map").classList.remove("has-selection");
}

for (const b of document.querySelectorAll("#session-toggle button")) {
  b.addEventListener("click", () => { if (state.day && state.session !== b.dataset.session) showSession(b.dataset.session); });
}

const pct = (x) => Math.round(x * 100) + "%";

function renderTotals() {
  const rows = [];
  if (state.day) {
    const d = state.day.totals;
    rows.push(el("div", { class: "totals-row" },
      el("span", { class: "totals-what" }, "Day"),
      el("span", {}, el("strong", {}, money(d.cost))),
      el("span", {}, el("strong", {}, d.vehicles), " vehicles"),
      el("span", {}, el("strong", {}, (d.distance_m / 1000).toFixed(0)), " km"),
      el("span", { id: "continuity" }, "same vehicle AM and PM: ",
        el("strong", {}, d.both_sessions ? d.same_vehicle + " of " + d.both_sessions + " pupils (" + pct(d.continuity) + ")" : "no pupil travels twice"),
        " (continuity " + state.day.continuity + ")")));
  }
  const t = state.plan.totals;
  rows.push(el("div", { class: "totals-row" },
    el("span", { class: "totals-what" }, "session " + String(state.plan.session).toUpperCase()),
    el("span", {}, el("strong", {}, money(t.cost)), state.day ? "" : " per day"),
    el("span", {}, el("strong", {}, t.vehicles), " vehicles"),
    el("span", {}, el("strong", {}, (t.distance_m / 1000).toFixed(0)), " km"),
    el("span", {}, el("strong", {}, t.assigned), " pupils placed"),
    el("span", {}, el("strong", {}, t.unassigned), " unassigned"),
    el("span", {}, "mean ride ", el("strong", {}, t.assigned ? minutes(t.ride_s / t.assigned) : "–"))));
  $("totals").replaceChildren(...rows);
}

function renderDownloads(id) {
  const files = [
    ["manifests.html", "Manifests", "a printable page per run for drivers and assistants (HTML)"],
    ["plan.xlsx", "Spreadsheet", "runs, stops, pupils and unassigned as sheets (XLSX)"],
    ["report.html", "Report", "figures, map and a table per run (HTML)"],
    ["routes.csv", "Stops CSV", "one row per stop of every run"],
    ["pupils.csv", "Pupils CSV", "one row per pupil, placed or not"],
    ["map.png", state.day ? "AM map" : "Map", "the map as an image (PNG)"],
    ...(state.day ? [["map-pm.png", "PM map", "the PM map as an image (PNG)"]] : []),
    ["routes.geojson", "GeoJSON", "runs and stops for GIS tools"],
    ["plan.json", "JSON", "the plan as data"],
  ];
  $("downloads").replaceChildren(el("span", {}, "Download: "), ...files.map(([name, label, what]) =>
    el("button", { type: "button", class: "download", "data-file": name, title: name + ": " + what, "aria-label": label + " — " + what, onclick: () => download(id, name) }, "⬇ " + label)));
}

async function download(id, name) {
  const r = await api("/api/v1/jobs/" + id + "/files/" + name);
  if (!r.ok) { $("job-state").textContent = "download failed: " + ((await r.json().catch(() => ({}))).error || r.status); return; }
  const url = URL.createObjectURL(await r.blob());
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

// ---- map --------------------------------------------------------------------

function pointsD(points) {
  return points.map((p, i) => (i ? "L" : "M") + p[0] + " " + p[1]).join("");
}

function renderMap() {
  const m = state.map;
  const root = $("map");
  root.replaceChildren();
  const [x0, y0, x1, y1] = m.bbox;
  state.view = [x0, y0, x1 - x0, y1 - y0];
  state.home = state.view.slice();
  setView();
  const roads = svg("g", { class: "roads" });
  for (const r of m.roads) roads.append(svg("path", { class: "road road-" + r.tier, d: r.d }));
  root.append(roads);
  const runs = svg("g", { class: "runs-layer" });
  m.runs.forEach((run, i) => {
    const g = svg("g", { class: "run", "data-run": i, tabindex: "-1" });
    g.append(svg("path", { class: "casing", d: pointsD(run.line) }));
    g.append(svg("path", { class: "line", d: pointsD(run.line), stroke: run.colour },
      svg("title", {}, "Run " + run.run + ": " + vehicleName(state.plan.routes[i]))));
    g.addEventListener("click", () => selectRun(i));
    runs.append(g);
  });
  root.append(runs);
  // Stops: numbered discs per run (the run number, so colour is never the only cue).
  const marks = svg("g", { class: "marks" });
  m.runs.forEach((run, i) => {
    const route = state.plan.routes[i];
    route.stops.forEach((s, k) => {
      const at = run.stops[k].at;
      if (!at || s.location_key.kind !== "home") return;
      const g = svg("g", { class: "stop", "data-run": i, transform: `translate(${at[0]} ${at[1]})` },
        svg("circle", { r: 1, fill: run.colour }),
        svg("text", { class: "stop-label", y: 0 }, run.run),
        svg("title", {}, "Run " + run.run + ", stop " + k + ": " + (s.pupils || []).join(", ")));
      g.addEventListener("click", () => selectRun(i));
      marks.append(g);
    });
  });
  for (const s of m.schools) {
    marks.append(svg("g", { class: "school", transform: `translate(${s.at[0]} ${s.at[1]})` },
      svg("rect", { x: -1, y: -1, width: 2, height: 2 }), svg("title", {}, "School: " + s.name)));
  }
  for (const d of m.depots) {
    marks.append(svg("g", { class: "depot", transform: `translate(${d.at[0]} ${d.at[1]})` },
      svg("rect", { x: -1, y: -1, width: 2, height: 2, transform: "rotate(45)" }), svg("title", {}, "Depot of " + d.id)));
  }
  for (const u of state.plan.unassigned) {
    const p = m.pupils[u.pupil];
    if (!p) continue;
    marks.append(svg("g", { class: "unassigned-mark", transform: `translate(${p.home[0]} ${p.home[1]})` },
      svg("path", { d: "M-1 -1L1 1M-1 1L1 -1" }), svg("title", {}, "Unassigned: " + u.pupil + " (" + u.reason + ")")));
  }
  root.append(marks);
  scaleMarks();
}

function setView() {
  const v = state.view;
  $("map").setAttribute("viewBox", v.join(" "));
  scaleMarks();
}

// Markers keep their size on screen whatever the zoom.
function scaleMarks() {
  const root = $("map");
  // The viewBox is fitted into the box ("meet"): one screen pixel is the
  // larger of the two ratios.
  const box = root.getBoundingClientRect();
  const w = box.width || 800, h = box.height || 500;
  const unit = state.view ? Math.max(state.view[2] / w, state.view[3] / h) : 1;
  root.style.setProperty("--u", unit);
  for (const g of root.querySelectorAll(".stop, .school, .depot, .unassigned-mark")) {
    const t = g.getAttribute("transform").replace(/ scale\([^)]*\)/, "");
    const size = g.classList.contains("stop") ? 9 : 7;
    g.setAttribute("transform", t + ` scale(${unit * size})`);
  }
}

function zoom(factor, cx, cy) {
  const v = state.view;
  if (cx === undefined) { cx = v[0] + v[2] / 2; cy = v[1] + v[3] / 2; }
  state.view = [cx - (cx - v[0]) * factor, cy - (cy - v[1]) * factor, v[2] * factor, v[3] * factor];
  setView();
}

(function mapControls() {
  const root = $("map");
  root.setAttribute("tabindex", "0");
  root.addEventListener("wheel", (ev) => {
    if (!state.view) return;
    ev.preventDefault();
    const r = root.getBoundingClientRect();
    const v = state.view;
    const scale = Math.max(v[2] / r.width, v[3] / r.height);
    const cx = v[0] + v[2] / 2 + (ev.clientX - r.left - r.width / 2) * scale;
    const cy = v[1] + v[3] / 2 + (ev.clientY - r.top - r.height / 2) * scale;
    zoom(ev.deltaY > 0 ? 1.2 : 1 / 1.2, cx, cy);
  }, { passive: false });
  let drag = null;
  root.addEventListener("pointerdown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, v: state.view.slice(), moved: false }; });
  root.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    const r = root.getBoundingClientRect();
    const scale = Math.max(drag.v[2] / r.width, drag.v[3] / r.height);
    const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) { state.view = [drag.v[0] - dx * scale, drag.v[1] - dy * scale, drag.v[2], drag.v[3]]; setView(); }
  });
  window.addEventListener("pointerup", () => { drag = null; });
  root.addEventListener("keydown", (ev) => {
    if (!state.view) return;
    const v = state.view, step = v[2] / 10;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (ev.key === "+" || ev.key === "=") zoom(1 / 1.25);
    else if (ev.key === "-") zoom(1.25);
    else if (moves[ev.key]) { state.view = [v[0] + moves[ev.key][0], v[1] + moves[ev.key][1], v[2], v[3]]; setView(); }
    else return;
    ev.preventDefault();
  });
  $("map-reset").addEventListener("click", () => { if (state.home) { state.view = state.home.slice(); setView(); } });
  window.addEventListener("resize", scaleMarks);
})();

// ---- runs and pupils --------------------------------------------------------

function renderRuns() {
  const list = $("runs");
  list.replaceChildren();
  state.plan.routes.forEach((r, i) => {
    const pupils = new Set(r.stops.flatMap((s) => s.kind === "pickup" ? s.pupils : [])).size;
    const colour = state.map.runs[i].colour;
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = colour;
    const ref = runRef(i);
    const locked = state.locks.has(ref);
    const lock = el("button", { type: "button", class: "lock", "data-lock": ref, "aria-pressed": locked ? "true" : "false",
      "aria-label": "Lock run " + (i + 1) + " (keep it exactly when re-planning)", onclick: () => toggleLock(ref, lock) },
      locked ? "Locked ✓" : "Lock");
    list.append(el("li", { class: "run-row" },
      el("button", { type: "button", class: "run-item", "data-run": i, "aria-pressed": "false", onclick: () => selectRun(i) },
        swatch,
        el("span", { class: "run-no" }, "Run " + (i + 1)),
        el("span", { class: "run-vehicle" }, vehicleName(r)),
        el("span", { class: "run-cost" }, money(r.cost)),
        el("span", { class: "run-pupils" }, pupils + (pupils === 1 ? " pupil" : " pupils"))),
      lock));
  });
  renderReplanBar();
}

// ---- locks and re-planning --------------------------------------------------

// A run as the re-plan names it: its number, with its session in a day plan.
const runRef = (i) => (state.day ? state.session + ":" : "") + (i + 1);

function toggleLock(ref, button) {
  if (state.locks.has(ref)) state.locks.delete(ref); else state.locks.add(ref);
  const on = state.locks.has(ref);
  button.setAttribute("aria-pressed", on ? "true" : "false");
  button.textContent = on ? "Locked ✓" : "Lock";
  renderReplanBar();
}

function renderReplanBar() {
  const n = state.locks.size;
  $("replan-count").textContent = n === 0 ? "No run locked: every run may change." :
    n + (n === 1 ? " run locked" : " runs locked") + " (" + [...state.locks].join(", ") + "): kept exactly; the others may change.";
}

$("replan-button").addEventListener("click", async () => {
  const id = state.jobId;
  $("replan-problems").replaceChildren();
  $("replan-button").disabled = true;
  try {
    const r = await api("/api/v1/jobs/" + id + "/replan", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ locks: [...state.locks], time_limit: Number($("time-limit").value) || 30 }),
    });
    const body = await r.json();
    if (r.status !== 202) {
      $("replan-problems").append(el("li", { class: "problem" }, el("span", { class: "where" }, "⚠ Re-plan refused: "), body.error || String(r.status)));
      return;
    }
    state.previousJob = id;
    state.timeLimit = Number($("time-limit").value) || 30;
    startJob(body.job);
  } finally {
    $("replan-button").disabled = false;
  }
});

async function renderChanges() {
  const box = $("changes");
  box.replaceChildren();
  if (!state.previousJob || state.previousJob === state.jobId) return;
  const r = await api("/api/v1/jobs/" + state.jobId + "/changes?from=" + encodeURIComponent(state.previousJob));
  if (!r.ok) return;
  const c = await r.json();
  const where = (p) => p ? "Run " + p.run + " (" + p.vehicle + ", " + clock(p.home_time_s) + ")" : "—";
  box.append(el("h3", {}, "Changes from the previous plan"),
    el("p", { id: "changes-count" }, c.pupils_changed === 0 ? "No pupil changed." :
      c.pupils_changed + (c.pupils_changed === 1 ? " pupil changed" : " pupils changed") + " (locked: " + ([...state.locks].join(", ") || "none") + ")."));
  if (c.changes.length) {
    box.append(el("table", { class: "changes" },
      el("thead", {}, el("tr", {}, el("th", {}, "Pupil"), el("th", {}, "Session"), el("th", {}, "Before"), el("th", {}, "Now"), el("th", {}, "What changed"))),
      el("tbody", {}, ...c.changes.map((x) => el("tr", {},
        el("td", {}, x.pupil), el("td", {}, String(x.session).toUpperCase()), el("td", {}, where(x.old)), el("td", {}, where(x.new)), el("td", {}, x.why))))));
  }
}

function selectRun(i) {
  state.selectedRun = state.selectedRun === i ? null : i;
  const sel = state.selectedRun;
  $("map").classList.toggle("has-selection", sel !== null);
  for (const g of $("map").querySelectorAll(".run, .stop")) g.classList.toggle("selected", Number(g.dataset.run) === sel);
  // Draw the selected run on top.
  if (sel !== null) {
    const g = $("map").querySelector(`.run[data-run="${sel}"]`);
    g.parentNode.append(g);
  }
  for (const b of document.querySelectorAll(".run-item")) {
    const on = Number(b.dataset.run) === sel;
    b.classList.toggle("selected", on);
    b.setAttribute("aria-pressed", on ? "true" : "false");
  }
  renderRunDetail();
}

function pupilButton(id) {
  return el("button", { type: "button", class: "pupil", "data-pupil": id, onclick: () => showPupil(id) }, id);
}

function renderRunDetail() {
  const box = $("run-detail");
  const i = state.selectedRun;
  if (i === null) { box.replaceChildren(); return; }
  const r = state.plan.routes[i];
  const run = state.map.runs[i];
  const rows = r.stops.map((s, k) => el("tr", {},
    el("td", {}, k === 0 ? "leave" : k === r.stops.length - 1 ? "return" : String(k)),
    el("td", {}, clock(s.kind === "depot" && k === 0 ? s.departure_s : s.arrival_s)),
    el("td", {}, { depot: "depot", pickup: "pick up", drop: "drop off" }[s.kind] || s.kind),
    el("td", {}, run.stops[k].place),
    el("td", {}, ...(s.pupils || []).map(pupilButton))));
  box.replaceChildren(el("div", { class: "run-detail" },
    el("h3", {}, "Run " + (i + 1) + " — " + vehicleName(r)),
    el("p", {}, money(r.cost) + " · " + (r.distance_m / 1000).toFixed(1) + " km · " + minutes(r.duration_s) + " on duty"),
    el("table", { class: "stops" },
      el("thead", {}, el("tr", {}, el("th", {}, "Stop"), el("th", {}, "Time"), el("th", {}, "What"), el("th", {}, "Where"), el("th", {}, "Pupils"))),
      el("tbody", {}, ...rows))));
}

function showPupil(id) {
  const box = $("pupil-detail");
  const info = state.map.pupils[id] || {};
  const ride = state.plan.rides.find((r) => r.pupil === id);
  const un = state.plan.unassigned.find((u) => u.pupil === id);
  const items = [];
  if (ride) {
    const r = state.plan.routes[ride.route];
    items.push(["Run", el("button", { type: "button", class: "link", onclick: () => { if (state.selectedRun !== ride.route) selectRun(ride.route); } }, "Run " + (ride.route + 1) + " — " + vehicleName(r))]);
    items.push(["Picked up", clock(ride.pickup_s)], ["Handed over", clock(ride.drop_s)]);
    items.push(["Ride time", minutes(ride.ride_s) + " of at most " + minutes(ride.max_ride_s)]);
  }
  if (un) items.push(["Not placed", un.reason.replaceAll("_", " ") + (un.detail ? ": " + un.detail : "")]);
  if (state.day) {
    // The pupil's run in the other session, and whether the vehicle is the same.
    const other = state.session === "am" ? "pm" : "am";
    const op = state.day[other];
    const oride = op.rides.find((r) => r.pupil === id);
    if (oride) {
      const or = op.routes[oride.route];
      const same = ride && vehicleName(or) === vehicleName(state.plan.routes[ride.route]);
      items.push([other.toUpperCase() + " run", el("span", {},
        el("button", { type: "button", class: "link", onclick: async () => { await showSession(other); selectRun(oride.route); } },
          "Run " + (oride.route + 1) + " — " + vehicleName(or)),
        ride ? (same ? " (same vehicle)" : " (changes vehicle)") : "")]);
    } else {
      items.push([other.toUpperCase() + " run", "does not travel or not placed"]);
    }
  }
  if (info.school_name) items.push(["School", info.school_name]);
  items.push(["Needs", info.needs && info.needs.length ? info.needs.join("; ") : "none recorded"]);
  box.replaceChildren(el("div", { class: "pupil-detail" }, el("h3", {}, "Pupil " + id),
    el("dl", {}, ...items.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]))));
  box.scrollIntoView({ block: "nearest" });
}

function renderUnassigned() {
  const list = $("unassigned");
  list.replaceChildren();
  if (!state.plan.unassigned.length) list.append(el("li", {}, "None: every pupil is placed."));
  for (const u of state.plan.unassigned) {
    list.append(el("li", {}, pupilButton(u.pupil), " ", el("span", { class: "reason" }, u.reason.replaceAll("_", " ")), u.detail ? " — " + u.detail : ""));
  }
}

// ---- start ------------------------------------------------------------------

(async function start() {
  const cfg = await (await fetch("/api/v1/config")).json();
  state.needsKey = cfg.needs_key;
  const sessionWords = { am: "AM — to school", pm: "PM — home", day: "Day — AM and PM together" };
  for (const s of cfg.sessions) $("session").append(el("option", { value: s }, sessionWords[s] || s.toUpperCase()));
  if (cfg.needs_key && !state.key) askKey();
  else if (!cfg.needs_key) $("who").textContent = "On this computer only";
  const id = location.hash.slice(1);
  if (id.startsWith("job_") && (!cfg.needs_key || state.key)) {
    const r = await api("/api/v1/jobs/" + id);
    if (r.ok) startJob((await r.json()).job);
  }
})();
