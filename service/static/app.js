// The playground: compose a request, preview its rows, read its report, download it. Plain DOM, no
// framework and no build step (README: "The playground"); every value from the server is set as text,
// never as markup. Everything goes through /api/, which is the gRPC service itself.
"use strict";

const $ = (sel, el = document) => el.querySelector(sel);
const $$ = (sel, el = document) => [...el.querySelectorAll(sel)];
const state = { token: sessionStorage.getItem("tda-token") || "", info: {}, schemas: [], last: null, dataset: null };

function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v != null) el.setAttribute(k, v);
  }
  for (const kid of kids.flat()) if (kid != null) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}

async function api(path, body) {
  const headers = { "content-type": "application/json" };
  if (state.token) headers.authorization = "Bearer " + state.token;
  const init = body === undefined ? { headers } : { method: "POST", headers, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  const data = await res.json().catch(() => ({ code: "INTERNAL", message: `HTTP ${res.status}` }));
  if (!res.ok) throw Object.assign(new Error(data.message || res.statusText), { code: data.code, status: res.status });
  return data;
}

// ---- errors, shown by the field the gRPC status names ("scenarios[1].count: must be ...; fix")
function clearErrors() {
  $$(".error").forEach((el) => { el.textContent = ""; });
  $$(".bad").forEach((el) => el.classList.remove("bad"));
}

function showError(err) {
  if (err.status === 401 || err.status === 403) {
    $("#token-bar").hidden = false;
    $('[data-error-for="token"]').textContent = `${err.code}: ${err.message}`;
    return;
  }
  const field = /^([A-Za-z_][\w.\[\]]*): /.exec(err.message)?.[1] || "";
  const head = field.split(/[.\[]/)[0];
  const slot = (head && $$("[data-error-for]").find((el) => el.dataset.errorFor.split(" ").includes(head))) || $("#form-error");
  slot.textContent = `${err.code || "ERROR"}: ${err.message}`;
  slot.closest(".field")?.classList.add("bad");
  const details = slot.closest("details");
  if (details) details.open = true;
  const index = /\[(\d+)\]/.exec(field)?.[1];
  if (index !== undefined) slot.parentElement.querySelectorAll(".item")[+index]?.classList.add("bad");
}

// ---- the request, as protobuf's JSON mapping of GenerateRequest or DatasetRequest
const mode = () => $('input[name="mode"]:checked').value;
const val = (name) => $(`[name="${name}"]`).value.trim();
const checked = (name) => $(`[name="${name}"]`).checked;

function buildRequest() {
  const body = {};
  const put = (k, v) => { if (v !== "" && v != null && !(Array.isArray(v) && !v.length)) body[k] = v; };
  const m = mode();
  const linked = linkedImport();
  if (m === "dataset") {
    put("entities", $$("#roots .item").map((r) => ({ entity: $("select", r).value, count: num($("input", r).value) })));
  } else if (linked) { // an imported SQL schema's tables together: the picked table's count, the rest follow
    put("schema_id", state.imported?.schema_id);
    put("entities", [{ entity: val("import_entity"), count: num(val("count")) }]);
  } else {
    if (m === "entity") put("entity", val("entity"));
    else if (importing()) {
      put("schema_id", state.imported?.schema_id);
      put("entity", val("import_entity"));
    } else put(val("schema_kind"), $('[name="schema_text"]').value);
    put("count", num(val("count")));
    put("scenarios", $$("#scenarios .item").map(scenario));
    const fc = {};
    for (const r of $$("#constraints .item")) {
      const [field, min, max, values, regex] = $$("input", r).map((i) => i.value.trim());
      if (!field) continue;
      const c = {};
      if (min !== "") c.min = num(min);
      if (max !== "") c.max = num(max);
      if (values) c.enum_values = values.split(",").map((s) => s.trim()).filter(Boolean);
      if (regex) c.regex = regex;
      fc[field] = c;
    }
    if (Object.keys(fc).length) body.constraints = { field_constraints: fc };
    for (const flag of ["defect_triggering", "negative", "learn_from_history"]) if (checked(flag)) body[flag] = true;
  }
  if (val("seed") !== "") body.seed = val("seed");
  put("locale", val("locale"));
  if (val("output_format") !== "JSON") body.output_format = val("output_format");
  put("context", val("context"));
  put("hints", val("hints").split("\n").map((s) => s.trim()).filter(Boolean));
  put("generation_method", val("generation_method"));
  put("as_of", val("as_of"));
  return { kind: m === "dataset" || linked ? "dataset" : "generate", body };
}

// ---- imported kinds (DDL, OpenAPI, JSON Schema documents, .proto): ImportSchema first, then schema_id
const importing = () => mode() === "schema" && val("schema_kind").startsWith("import:");
const linkedImport = () => importing() && val("schema_kind").startsWith("import:sql:") && checked("linked");

async function ensureImported() {
  if (!importing()) return;
  const [, source_kind, dialect] = val("schema_kind").split(":");
  const source = $('[name="schema_text"]').value;
  const key = `${source_kind}:${dialect}\n${source}`;
  if (state.imported?.key !== key) {
    const got = await api("/api/import", { source_kind, source, dialect });
    state.imported = { key, schema_id: got.schema_id, schemas: got.schemas || [] };
    $('[name="import_entity"]').replaceChildren(...state.imported.schemas.map((x) => h("option", {}, x.name)));
    $("#import-notes").replaceChildren(...(got.warnings || []).map((w) => h("li", {}, w)));
    showEntity(state.imported.schemas[0]?.name, state.imported.schemas);
  }
  $("#import-pick").hidden = false;
  $("#linked-box").hidden = !val("schema_kind").startsWith("import:sql:");
}

function num(text) {
  const n = Number(text);
  return text === "" || Number.isNaN(n) ? text : n; // the server names a bad number; the page does not guess
}

function scenario(r) {
  const [name, count, overrides] = $$("input", r).map((i) => i.value.trim());
  const s = { name };
  if (count !== "") s.count = num(count);
  if (overrides) {
    s.overrides = {};
    for (const pair of overrides.split(";")) {
      const [k, ...v] = pair.split("=");
      if (k.trim()) s.overrides[k.trim()] = v.join("=").trim();
    }
  }
  return s;
}

function itemRow(container, inputs) {
  const row = h("div", { class: "item" }, ...inputs, h("button", { type: "button", title: "remove", onclick: () => row.remove() }, "×"));
  $(container).append(row);
  return row;
}

const addScenario = () => itemRow("#scenarios", [
  h("input", { placeholder: "name (happy_path)", "aria-label": "scenario name" }),
  h("input", { placeholder: "count", type: "number", "aria-label": "scenario count" }),
  h("input", { placeholder: "overrides: currency=EUR; items=1", "aria-label": "scenario overrides" }),
]);
const addConstraint = () => itemRow("#constraints", [
  h("input", { placeholder: "field (total)", list: "field-names", "aria-label": "constraint field" }),
  h("input", { placeholder: "min", "aria-label": "min" }), h("input", { placeholder: "max", "aria-label": "max" }),
  h("input", { placeholder: "values: a, b", "aria-label": "values" }), h("input", { placeholder: "regex", "aria-label": "regex" }),
]);
const addRoot = () => itemRow("#roots", [
  h("select", { "aria-label": "root entity" }, ...state.schemas.filter((s) => s.domain === "ecommerce" || !s.domain)
    .map((s) => h("option", { selected: s.name === "customer" }, s.name))),
  h("input", { type: "number", value: "20", "aria-label": "root count" }),
]);

// ---- preview
async function preview(ev) {
  ev?.preventDefault();
  clearErrors();
  const started = performance.now();
  setBusy(true);
  try {
    await ensureImported();
    const req = buildRequest();
    state.last = req;
    state.report = null;
    renderCopy(req);
    if (req.kind === "dataset") {
      const data = await api("/api/dataset?rows=10", req.body);
      state.dataset = data;
      renderDataset(data);
      renderMeta(data.metadata, performance.now() - started);
    } else {
      const data = await api("/api/preview?rows=100", req.body);
      renderRows($("#tab-rows"), data.rows);
      $("#text").textContent = data.text;
      renderMeta(data.metadata, performance.now() - started);
    }
    if (!$("#tab-report").hidden) await loadReport();
  } catch (err) {
    showError(err);
  } finally {
    setBusy(false);
  }
}

function setBusy(busy) {
  document.body.classList.toggle("busy", busy);
  $("#preview").disabled = busy;
}

function renderMeta(m, ms) {
  const bits = [["path", m.generation_path], ["seed", m.seed], ["tokens", m.llm_tokens_used], ["cache", m.cache_hit ? "hit" : "miss"]];
  if (m.examples_used?.length) bits.push(["examples", m.examples_used.length]);
  const meta = $("#meta");
  meta.replaceChildren(...bits.map(([k, v]) => h("span", { class: "chip" }, `${k} `, h("b", {}, String(v)))));
  if (m.fallback_reason) meta.append(h("span", { class: "chip warn" }, "fallback: ", m.fallback_reason));
  if (m.empty_entities?.length) meta.append(h("span", { class: "chip warn" }, "no rows for: ", m.empty_entities.join(", ")));
  if (m.import_notes) meta.append(h("span", { class: "chip warn", title: m.import_notes }, "left out: ", clip(m.import_notes, 120)));
  meta.append(h("span", { class: "chip dim", id: "shown-in" }, `shown in ${Math.round(ms)} ms`));
  meta.dataset.ms = String(Math.round(ms));
}

const TAGS = ["_scenario", "_edge_case", "_violates"];

function renderRows(target, rows) {
  if (!rows.length) return target.replaceChildren(h("p", { class: "hint" }, "No rows."));
  const cols = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!TAGS.includes(k) && !cols.includes(k)) cols.push(k);
  const head = h("tr", {}, h("th", {}, "#"), h("th", {}, "tags"), ...cols.map((c) => h("th", {}, c)));
  const body = rows.map((r, i) => h("tr", {}, h("td", { class: "dim" }, i + 1), h("td", {}, badges(r)), ...cols.map((c) => h("td", {}, cell(r[c])))));
  target.replaceChildren(h("div", { class: "scroll" }, h("table", { class: "rows" }, h("thead", {}, head), h("tbody", {}, body))));
}

function badges(r) {
  const out = [];
  if (r._scenario) out.push(h("span", { class: "badge scenario" }, r._scenario));
  if (r._edge_case) out.push(h("span", { class: "badge edge" }, r._edge_case));
  if (r._violates) {
    const v = r._violates;
    out.push(h("span", { class: "badge violates", title: typeof v === "object" ? JSON.stringify(v) : String(v) }, `breaks ${v.rule || ""} ${v.path || ""}`.trim()));
  }
  return out;
}

function cell(v) {
  if (v === null || v === undefined) return h("span", { class: "null" }, "null");
  if (typeof v !== "object") return String(v);
  const label = Array.isArray(v) ? `${v.length} item${v.length === 1 ? "" : "s"}` : `{${Object.keys(v).length} fields}`;
  const inner = Array.isArray(v) && v.every((x) => x && typeof x === "object" && !Array.isArray(x))
    ? (() => { const t = h("div"); renderRows(t, v); return t; })()
    : h("pre", {}, JSON.stringify(v, null, 1));
  return h("details", {}, h("summary", {}, label), inner);
}

function renderDataset(data) {
  const parts = [h("p", {}, "Records per entity: ", Object.entries(data.counts).map(([e, n]) => h("span", { class: "chip" }, `${e} `, h("b", {}, n.toLocaleString()))))];
  for (const [entity, rows] of Object.entries(data.rows)) {
    const t = h("div");
    renderRows(t, rows);
    parts.push(h("details", { class: "entity-rows", open: parts.length === 1 }, h("summary", {}, `${entity} (first ${rows.length})`), t));
  }
  $("#tab-rows").replaceChildren(...parts);
  $("#text").textContent = "A linked dataset downloads as one SQL file, or as a zip of one file per entity (JSON, JSONL, CSV).";
}

// ---- report
async function loadReport() {
  const req = state.last;
  if (!req) return;
  const out = $("#report");
  if (req.kind === "dataset") {
    if (state.dataset) window.renderDatasetReport(out, state.dataset);
    return;
  }
  if (state.report) return;
  out.replaceChildren(h("p", { class: "hint" }, "Measuring the request's rows…"));
  try {
    state.report = await api("/api/report", req.body);
    window.renderReport(out, state.report);
  } catch (err) {
    out.replaceChildren();
    showError(err);
  }
}

// ---- download: a form post into a hidden frame, so the browser streams the file to disk
async function download() {
  clearErrors();
  try {
    await ensureImported();
  } catch (err) {
    return showError(err);
  }
  const req = buildRequest();
  renderCopy(req);
  const form = h("form", { method: "POST", action: req.kind === "dataset" ? "/api/dataset/download" : "/api/download", target: "download-frame", hidden: true },
    h("input", { type: "hidden", name: "request", value: JSON.stringify(req.body) }),
    h("input", { type: "hidden", name: "token", value: state.token }));
  document.body.append(form);
  form.submit();
  form.remove();
}

function downloadFailed() { // the frame loads only when the answer is not a file: an error
  const text = $("#download-frame").contentDocument?.body?.textContent || "";
  if (!text) return;
  try {
    const e = JSON.parse(text);
    showError(Object.assign(new Error(e.message), { code: e.code }));
  } catch {
    $("#form-error").textContent = text.slice(0, 500);
  }
}

// ---- the same request as grpcurl and CLI commands
const shq = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;

function renderCopy(req) {
  const host = `${location.hostname}:${state.info.grpc_port || 9001}`;
  const auth = state.info.tokens_required ? ` -H "authorization: Bearer $TDA_TOKEN"` : "";
  const method = req.kind === "dataset" ? "GenerateDataset" : (req.body.count || 0) > (state.info.max_sync_records || 10000) ? "GenerateDataStream" : "GenerateData";
  $("#grpcurl").textContent = `grpcurl -plaintext -max-msg-sz 67108864${auth} -d ${shq(JSON.stringify(req.body))} \\\n  ${host} testdata.v1.TestDataService/${method}`;
  const b = req.body;
  const args = ["test-data-agent", req.kind === "dataset" ? "dataset" : "generate"];
  const missing = [];
  if (req.kind === "dataset" && b.schema_id) { // the CLI seeds a database from the same DDL
    const dialect = val("schema_kind").split(":")[2];
    const url = { postgres: "postgresql://localhost/DB", mysql: "mysql://root@localhost/DB", sqlite: "sqlite:///app.db" }[dialect];
    const rows = (b.entities || []).map((e) => `${e.entity}=${e.count}`);
    $("#cli").textContent = ["test-data-agent", "seed", url, "--ddl", "schema.sql", "--rows", ...rows, ...(b.seed ? ["--seed", b.seed] : []), "--dry-run"].join(" ");
    $("#cli-note").textContent = "Save the pasted DDL as schema.sql; without --dry-run the rows go straight into the database (one transaction).";
    return;
  }
  if (req.kind === "dataset") args.push(...(b.entities || []).map((e) => `${e.entity}=${e.count}`));
  else if (b.schema_id) {
    const [, kind, dialect] = val("schema_kind").split(":");
    const file = `schema.${{ sql: "sql", proto: "proto" }[kind] || "json"}`;
    args.push(b.entity, "--schema", file, ...(dialect ? ["--dialect", dialect] : []));
    missing.push(`the pasted schema (save it as ${file}); the grpcurl command's schema_id is this import's, for a day`);
  } else if (b.entity) args.push(b.entity);
  else { args.push("ENTITY", "--schema", "schema.json"); missing.push("the pasted schema (save it as schema.json; ENTITY is its name)"); }
  if (b.count !== undefined) args.push("--count", b.count);
  args.push("--format", (b.output_format || "JSON").toLowerCase());
  for (const [k, flag] of [["seed", "--seed"], ["locale", "--locale"], ["context", "--context"], ["as_of", "--as-of"]]) if (b[k] !== undefined) args.push(flag, shq(b[k]));
  for (const [k, flag] of [["defect_triggering", "--defect-triggering"], ["negative", "--negative"]]) if (b[k]) args.push(flag);
  args.push("--server", host);
  if (state.info.tokens_required) args.push("--token", '"$TDA_TOKEN"');
  for (const k of ["scenarios", "constraints", "hints", "learn_from_history", "generation_method"]) if (b[k] !== undefined) missing.push(k);
  $("#cli").textContent = args.join(" ");
  $("#cli-note").textContent = missing.length ? `The CLI has no flag for: ${missing.join(", ")}. The grpcurl command carries the whole request.` : "";
}

// ---- entities
async function loadSchemas() {
  const data = await api("/api/schemas");
  state.schemas = data.schemas || [];
  const domains = [...new Set(state.schemas.map((s) => s.domain))].sort();
  $("#domain").replaceChildren(h("option", { value: "" }, "all"), ...domains.map((d) => h("option", {}, d)));
  $('[name="entity"]').replaceChildren(...state.schemas.map((s) => h("option", { selected: s.name === "cart" }, s.name)));
  listEntities();
  showEntity("cart");
  if (!$("#roots .item")) addRoot();
}

function listEntities() {
  const d = $("#domain").value;
  $("#entities").replaceChildren(...state.schemas.filter((s) => !d || s.domain === d)
    .map((s) => h("li", {}, h("button", { type: "button", class: "link", "data-entity": s.name, onclick: () => pick(s.name) }, s.name))));
}

function pick(name) {
  $('input[name="mode"][value="entity"]').checked = true;
  $('[name="entity"]').value = name;
  applyMode();
  showEntity(name);
}

function showEntity(name, schemas = state.schemas) {
  const s = schemas.find((x) => x.name === name);
  if (!s) return;
  $$("#entities button").forEach((b) => b.classList.toggle("on", b.dataset.entity === name));
  const rows = (s.fields || []).map((f) => h("tr", {}, h("td", {}, f.name, f.required ? h("span", { class: "req", title: "required" }, "*") : null),
    h("td", {}, f.type), h("td", { class: "small" }, constraintText(f.constraints_json)), h("td", { class: "small dim", title: f.example || "" }, clip(f.example || "", 60))));
  const names = h("datalist", { id: "field-names" }, ...(s.fields || []).map((f) => h("option", {}, f.name)));
  $("#entity-info").replaceChildren(h("h3", {}, s.name), h("p", { class: "small" }, s.description || ""),
    h("div", { class: "scroll" }, h("table", { class: "fields" }, h("thead", {}, h("tr", {}, ...["field", "type", "constraints", "example"].map((c) => h("th", {}, c)))), h("tbody", {}, rows))),
    s.rules?.length ? h("div", {}, h("h4", {}, "Rules"), h("ul", { class: "small" }, s.rules.map((r) => h("li", {}, r)))) : "", names);
}

const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

function constraintText(json) {
  if (!json) return "";
  try {
    return Object.entries(JSON.parse(json)).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join("|") : v}`).join(" · ");
  } catch { return json; }
}

function applyMode() {
  const m = mode();
  $$("[data-mode]").forEach((el) => { el.hidden = !el.dataset.mode.split(" ").includes(m); });
}

function showTab(name) {
  $$(".tabs button").forEach((b) => b.classList.toggle("on", b.dataset.tab === name));
  $$(".tab").forEach((t) => { t.hidden = t.id !== `tab-${name}`; });
  if (name === "report") loadReport();
}

async function start() {
  $("#form").addEventListener("submit", preview);
  $("#download").addEventListener("click", download);
  $("#download-frame").addEventListener("load", downloadFailed);
  $("#add-scenario").addEventListener("click", addScenario);
  $("#add-constraint").addEventListener("click", addConstraint);
  $("#add-root").addEventListener("click", addRoot);
  $("#domain").addEventListener("change", listEntities);
  $('[name="entity"]').addEventListener("change", (e) => showEntity(e.target.value));
  $('[name="import_entity"]').addEventListener("change", (e) => showEntity(e.target.value, state.imported?.schemas || []));
  for (const name of ["schema_kind", "schema_text"]) $(`[name="${name}"]`).addEventListener("input", () => { $("#import-pick").hidden = true; });
  $$('input[name="mode"]').forEach((r) => r.addEventListener("change", applyMode));
  $$(".tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  $$("[data-copy]").forEach((b) => b.addEventListener("click", () => navigator.clipboard?.writeText($(`#${b.dataset.copy}`).textContent)));
  $("#token-bar").addEventListener("submit", (e) => {
    e.preventDefault();
    state.token = $("#token").value.trim();
    sessionStorage.setItem("tda-token", state.token);
    $("#token-bar").hidden = true;
    boot();
  });
  applyMode();
  state.info = await api("/api/info");
  if (state.info.tokens_required && !state.token) $("#token-bar").hidden = false;
  else boot();
}

async function boot() {
  try {
    clearErrors();
    await loadSchemas();
    renderCopy(buildRequest());
    document.body.dataset.ready = "true";
  } catch (err) {
    showError(err);
  }
}

start();
