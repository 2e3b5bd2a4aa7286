// The search page: results for ?q= and, as you type, (1) places: towns, villages, suburbs, councils and postcodes,
// with the council and the ICS covering each, from the small sharded index in places/find/ (index.json, then only
// the shard of the query's first two letters or postcode area), and (2) pages from the site's Pagefind index.
// Without JavaScript the page's lists (places by first letters, postcode areas, councils, every ICS) are the answer.
const box = document.getElementById("search-results");
const form = document.querySelector(".search-page-form");
const input = document.getElementById("search-page-q");
const status = document.getElementById("search-status");
const placeSection = document.getElementById("place-results");
const placeList = document.getElementById("place-list");
const pageSection = document.getElementById("page-results");
const pageList = document.getElementById("search-list");
const root = new URL(box.dataset.root || "../", window.location.href);
const placesUrl = box.dataset.places ? new URL(box.dataset.places, window.location.href) : null;
const MAX_PLACES = 12;
const MAX_PAGES = 20;
const COUNCIL_WORDS = /\b(councils?|borough|district|county|authority|metropolitan|unitary)\b/;
const FILLER = new Set(["council", "councils", "borough", "district", "county", "authority", "metropolitan",
  "unitary", "local", "city", "of", "the", "royal"]);
const POSTCODE = /^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})?$/;

// Names folded as pages/places.py folds them: no accents, lower case, "&" as "and", letters and digits only.
const fold = (text) => text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/&/g, "and");
const words = (text) => fold(text).replace(/[^a-z0-9]+/g, " ").trim();
const shardKey = (text) => fold(text).replace(/[^a-z0-9]+/g, "").slice(0, 2);
const plain = (text) => words(text).split(" ").filter((w) => !FILLER.has(w)).join(" ");

const cache = new Map();
function load(name) {  // each file once per page view
  if (!cache.has(name)) {
    cache.set(name, fetch(new URL(name, placesUrl)).then((r) => {
      if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
      return r.json();
    }));
  }
  return cache.get(name);
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// One board: its profile link (or name), "(closed ...)" and its share, as the static pages write it.
function board(index, [at, share]) {
  const [name, href, closed] = index.boards[at];
  const out = [];
  if (href) {
    const link = el("a", name);
    link.href = new URL(href, root).pathname;
    out.push(link);
  } else out.push(name);
  if (closed) out.push(` (${closed})`);
  if (share) out.push(` ${share}`);
  return out;
}

function boards(index, list) {
  return list.flatMap((b, i) => (i ? [", ", ...board(index, b)] : board(index, b)));
}

// A row as the static lists show it: name, kind, then each council (with its share) and the ICS(s) covering it.
function row(index, name, kind, parts) {
  const li = el("li");
  li.append(el("strong", name), " ", el("span", kind, "small"));
  parts.forEach(({council, share, current, before, note}, i) => {
    li.append(i ? "; " : " · ");
    if (council !== null) li.append(`${index.councils[council][0]} council${share ? ` (${share})` : ""}: `);
    li.append("ICS ", ...boards(index, current));
    if (before.length) li.append("; earlier ", ...boards(index, before));
    if (note) li.append(" ", el("span", `(${note})`, "small"));
  });
  return li;
}

function councilPart(index, at, share = "") {
  const [, current, before] = index.councils[at];
  return {council: at, share, current, before, note: ""};
}

async function findPostcode(index, outward, full) {
  const area = outward.match(/^[A-Z]+/)[0].toLowerCase();
  if (!index.areas.includes(area)) {  // not an English postcode (or not a postcode at all: DM01 is a topic)
    return {rows: [], note: full ? `${full} is not an English postcode.` : ""};
  }
  const districts = await load(`pc-${area}.json`);
  const found = districts.find(([district]) => district === outward);
  const note = full ? `${full} is in postcode district ${outward}.` : "";
  if (!found) return {rows: [], note: `No postcode district ${outward} in England.`};
  const parts = found[1].map(([at, share]) => councilPart(index, at, share));
  return {rows: [row(index, outward, "postcode district", parts)], note, postcode: true};
}

async function findPlace(index, query) {
  const councilWanted = COUNCIL_WORDS.test(words(query));
  const q = councilWanted ? plain(query) : words(query);
  const key = shardKey(q);
  if (key.length < 2) return {rows: [], note: ""};
  const scored = [];
  index.councils.forEach(([name], at) => {
    const n = plain(name);
    const make = () => row(index, name, "council", [{...councilPart(index, at), council: null}]);
    if (n === q || words(name) === q) scored.push([0, councilWanted ? -1 : 1.5, name, name, make]);
    else if (n.startsWith(q)) scored.push([1, councilWanted ? -1 : 1.5, name, name, make]);
  });
  if (index.shards.includes(key)) {
    for (const [name, type, council, district, own, note] of await load(`${key}.json`)) {
      const n = words(name);
      if (n !== q && !n.startsWith(q)) continue;
      const kind = district ? `${index.types[type]}, ${district}` : index.types[type];
      scored.push([n === q ? 0 : 1, type, name, index.councils[council][0], () => {
        const part = councilPart(index, council);
        return row(index, name, kind, [own === undefined ? part : {...part, current: [[own]], note}]);
      }]);
    }
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2].localeCompare(b[2]) || a[3].localeCompare(b[3]));
  const more = scored.length > MAX_PLACES ? scored.length - MAX_PLACES : 0;
  const rows = scored.slice(0, MAX_PLACES).map(([, , , , make]) => make());
  if (more && index.shards.includes(key)) {
    const li = el("li");
    const link = el("a", `${more} more place(s) beginning ${key[0].toUpperCase()}${key[1]}`);
    link.href = new URL(`places/${key}/`, root).pathname;
    li.append(link);
    rows.push(li);
  }
  return {rows, note: "", count: scored.length};
}

async function findPlaces(query) {
  if (!placesUrl) return {rows: [], note: ""};
  const index = await load("index.json");
  const compact = query.toUpperCase().replace(/\s+/g, "");
  const postcode = compact.match(POSTCODE);
  if (postcode) {
    const full = postcode[2] ? `${postcode[1]} ${postcode[2]}` : "";
    return findPostcode(index, postcode[1], full);
  }
  return findPlace(index, query);
}

// The profiles of closed boards share their names with current ones: the page's list of every ICS says which is
// which, so each result for a profile carries its "closed ..." marker.
const closedMarks = new Map([...document.querySelectorAll("#system-list a[data-closed]")]
  .map((a) => [a.href, a.dataset.closed]));

function pageItem(result) {
  const li = el("li");
  const link = el("a", result.meta.title || result.url);
  link.href = result.url;  // Pagefind gives addresses from the host root
  li.append(link);
  const closed = closedMarks.get(link.href);
  if (closed) li.append(" ", el("span", `(${closed})`, "small"));
  // Pagefind marks matches with <mark>: keep the text only
  li.append(el("p", result.excerpt.replace(/<[^>]*>/g, ""), "small"));
  return li;
}

async function findPages(query) {
  const pagefind = await import(box.dataset.index);
  const found = await pagefind.search(query);
  const results = await Promise.all(found.results.slice(0, MAX_PAGES).map((r) => r.data()));
  const seen = new Set();
  return {total: found.results.length, items: results.filter((r) => !seen.has(r.url) && seen.add(r.url))
    .map(pageItem)};
}

let latest = 0;
async function run(query) {
  const mine = ++latest;
  document.body.dataset.search = "running";
  if (!query.trim()) {
    placeSection.hidden = pageSection.hidden = true;
    status.textContent = "";
    document.body.dataset.search = "done";
    return;
  }
  status.textContent = `Searching for "${query}"…`;
  // a postcode found is the whole answer: the pages that mention its letters and digits are not about it
  const placesFound = findPlaces(query);
  const pagesFound = placesFound.then((p) => (p.postcode ? {total: 0, items: []} : findPages(query)),
    () => findPages(query));
  const [places, pages] = await Promise.allSettled([placesFound, pagesFound]);
  if (mine !== latest) return;  // a newer query is running
  const placeRows = places.status === "fulfilled" ? places.value.rows : [];
  placeList.replaceChildren(...placeRows);
  placeSection.hidden = !placeRows.length;
  const pageRows = pages.status === "fulfilled" ? pages.value.items : [];
  pageList.replaceChildren(...pageRows);
  pageSection.hidden = !pageRows.length;
  const said = [];
  if (places.status === "fulfilled" && places.value.note) said.push(places.value.note);
  if (placeRows.length || pageRows.length) {
    const total = pages.status === "fulfilled" ? pages.value.total : 0;
    const count = places.status === "fulfilled" ? places.value.count || placeRows.length : 0;
    const placeText = count ? `${count} place(s)${total ? " and " : ""}` : "";
    const pageText = total ? `${total} page(s)${total > MAX_PAGES ? ` (the first ${MAX_PAGES} shown)` : ""}` : "";
    said.push(`${placeText}${pageText} found for "${query}".`);
  } else if (places.status === "rejected" && pages.status === "rejected") {
    said.push("The search could not run here; the lists below lead to every place, council and ICS.");
    console.error("search:", places.reason, pages.reason);
  } else {
    said.push(`Nothing found for "${query}". Try a town, village, postcode or council, or a topic such as ` +
      "waiting times; or use the lists below.");
  }
  status.textContent = said.join(" ");
  document.body.dataset.search = "done";
}

let timer = 0;
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => {
    const url = new URL(window.location.href);
    url.searchParams.set("q", input.value);
    window.history.replaceState(null, "", url);
    run(input.value);
  }, 200);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  const url = new URL(window.location.href);
  url.searchParams.set("q", input.value);
  window.history.replaceState(null, "", url);
  run(input.value);
});

const query = new URLSearchParams(window.location.search).get("q") || "";
input.value = query;
run(query);
