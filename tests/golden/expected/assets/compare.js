// The compare page: puts the chosen ICSs side by side on every indicator, with England beside the indicator, from
// the static API (api/v1/areas/<code>.json, each area's latest value of every indicator, and api/v1/indicators.json),
// and keeps the choice in the address (?ics=...&ics=...) so it can be shared. The table is the one the peers and
// region pages have (side_by_side.html): the indicator and England columns stay in view while the systems scroll.
const form = document.getElementById("compare-form");
const status = document.getElementById("compare-status");
const result = document.getElementById("compare-result");
const api = form.dataset.api;
const england = { code: form.dataset.england, name: form.dataset.englandName };
const selects = [...form.querySelectorAll("select")];

async function json(path) {
  const response = await fetch(api + path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function cellText(row, indicator, judged = true) {
  if (!row) return "–";
  if (row.value === null) return "Suppressed";
  const value = row.value.toLocaleString("en-GB", { minimumFractionDigits: indicator.decimals,
                                                   maximumFractionDigits: indicator.decimals });
  const compared = judged && indicator.polarity !== "no_judgement" && row.compared_to_england
    && row.compared_to_england !== "Not compared";
  return compared ? `${value} (${row.compared_to_england})` : value;
}

function element(tag, text, attrs = {}) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

async function compare(codes) {
  status.textContent = "Loading…";
  const [indicators, ...areas] = await Promise.all([json("indicators.json"),
    ...[england.code, ...codes].map((c) => json(`areas/${c}.json`))]);
  const names = codes.map((c) => selects[0].querySelector(`option[value="${c}"]`).textContent);
  const latest = areas.map((area) => {
    // a table: column names once, then rows of cells
    const byIndicator = {};
    for (const cells of area.rows) {
      const row = Object.fromEntries(area.columns.map((name, i) => [name, cells[i]]));
      byIndicator[row.indicator_id] = row;
    }
    return byIndicator;
  });
  const table = element("table", undefined, { class: "side-by-side" });
  table.append(element("caption", `Latest values: ${names.join(", ")}`));
  const head = element("tr");
  for (const title of ["Indicator, unit and period", england.name, ...names]) {
    head.append(element("th", title, { scope: "col" }));
  }
  const thead = element("thead");
  thead.append(head);
  table.append(thead);
  const body = element("tbody");
  for (const indicator of indicators.indicators) {
    const rows = latest.map((l) => l[indicator.id]);
    if (rows.slice(1).every((r) => !r)) continue;
    const tr = element("tr");
    const th = element("th", undefined, { scope: "row" });
    const link = element("a", indicator.title, { href: `../${indicator.page}` });
    const periods = [...new Set(rows.filter(Boolean).map((r) => r.period))].sort();
    const meta = [indicator.unit, periods.join(", ")].filter(Boolean).join(" · ");
    th.append(link);
    if (meta) th.append(" ", element("span", meta, { class: "sbs-meta" }));
    tr.append(th);
    // England's value alone (it is what the others are compared with); each system's with its comparison
    rows.forEach((row, i) => tr.append(element("td", cellText(row, indicator, i > 0))));
    body.append(tr);
  }
  table.append(body);
  const scroll = element("div", undefined, { class: "table-scroll sbs-scroll", role: "region", tabindex: "0",
                                             "aria-label": `Latest values: ${names.join(", ")}` });
  scroll.append(table);
  result.replaceChildren(element("h2", names.join(" and "), { id: "comparison" }), scroll);
  status.textContent = `Showing ${names.length} systems side by side on ${body.children.length} indicators.`;
  document.body.dataset.compare = "done";
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const codes = [...new Set(selects.map((s) => s.value).filter(Boolean))];
  if (codes.length < 2) {
    status.textContent = "Choose at least two different systems.";
    return;
  }
  history.replaceState(null, "", `?${codes.map((c) => `ics=${encodeURIComponent(c)}`).join("&")}`);
  compare(codes).catch((error) => { status.textContent = "The comparison could not be loaded."; console.error(error); });
});

const chosen = new URLSearchParams(window.location.search).getAll("ics");
chosen.slice(0, selects.length).forEach((code, i) => { selects[i].value = code; });
if (chosen.length >= 2) form.requestSubmit();
