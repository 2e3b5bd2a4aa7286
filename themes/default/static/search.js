// The search page: runs the query in ?q= against the site's static Pagefind index and lists the results above the
// plain lists of every ICS and indicator (which are the whole answer when JavaScript does not run).
const box = document.getElementById("search-results");
const input = document.getElementById("search-page-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-list");
const query = new URLSearchParams(window.location.search).get("q") || "";
input.value = query;

function item(result) {
  const li = document.createElement("li");
  const link = document.createElement("a");
  // Pagefind gives each page's address from the host root, under the folder pagefind.js was loaded from
  link.href = result.url;
  link.textContent = result.meta.title || result.url;
  const excerpt = document.createElement("p");
  excerpt.className = "small";
  excerpt.textContent = result.excerpt.replace(/<[^>]*>/g, "");  // Pagefind marks matches with <mark>: keep text
  li.append(link, excerpt);
  return li;
}

async function run() {
  if (!query.trim()) return;
  status.textContent = `Searching for "${query}"…`;
  try {
    const pagefind = await import(box.dataset.index);
    const found = await pagefind.search(query);
    const results = await Promise.all(found.results.slice(0, 20).map((r) => r.data()));
    list.replaceChildren(...results.map(item));
    status.textContent = results.length
      ? `${found.results.length} page(s) found for "${query}"${found.results.length > 20 ? ", the first 20 shown" : ""}.`
      : `Nothing found for "${query}". Try a town or council name, or a topic such as waiting times.`;
  } catch (error) {
    status.textContent = "The search could not run here; the lists below have every ICS and indicator.";
    console.error("search:", error);
  }
  document.body.dataset.search = "done";
}
run();
