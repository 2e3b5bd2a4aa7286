// Draws the page's charts with vega-embed, from their Vega-Lite specs: a JSON file beside the page (figure[data-spec],
// same origin). Without JavaScript, and until its interactive chart is drawn, a chart's static image shows (a phone's
// layout on a narrow screen, by <picture>), or, for a chart built without one, its table (open); once the chart is
// drawn, the image is hidden and such a table is folded like the others.
//
// Charts cost the page nothing until they are needed: a chart is drawn only when it comes near the viewport (NEAR),
// one chart at a time with a pause between charts so the browser can answer the reader, and the Vega bundle (our own
// copy, named by this script's data-vega attribute) is loaded only when the first chart is wanted. A page whose
// charts are never scrolled to never loads it. body[data-charts] becomes "done" once every chart of the page has
// been drawn (or has failed).
//
// Each chart fits its container: a spec's `usermeta.phone` holds the keys of its layout for a narrow container
// (under PHONE_BELOW px; icsite/charts/variants.py), and `usermeta.fit` says how to size what Vega-Lite cannot take
// from its container (the columns of small multiples, the tiles of a map). A chart is drawn again when a resize
// changes its layout.
const PHONE_BELOW = 600;
// how near the viewport (above or below it) a chart starts to be drawn: half a screen, so that it is usually ready
// by the time it is scrolled into view
const NEAR = "50% 0px";
const BUNDLE = document.querySelector("script[data-vega]")?.dataset.vega;

let vegaLoaded = null;

// window.vegaEmbed, once the bundle has loaded (it sets window.vegaEmbed; loaded once per page)
function vega() {
  if (!vegaLoaded && window.vegaEmbed) vegaLoaded = Promise.resolve(window.vegaEmbed);
  if (!vegaLoaded) {
    vegaLoaded = BUNDLE ? import(new URL(BUNDLE, document.baseURI).href).then(() => window.vegaEmbed)
      : Promise.reject(new Error("no data-vega on the charts script"));
  }
  return vegaLoaded;
}

// lets the browser handle input and paint before the next piece of work
function pause() {
  if (window.scheduler && typeof window.scheduler.yield === "function") return window.scheduler.yield();
  return new Promise((resolve) => { setTimeout(resolve, 0); });
}

async function specOf(figure) {
  const response = await fetch(figure.dataset.spec);
  if (!response.ok) throw new Error(`${figure.dataset.spec}: HTTP ${response.status}`);
  return response.json();
}

// The spec laid out for a container `width` px wide, and a key that changes only when that layout does.
function fitted(spec, width) {
  const phone = spec.usermeta && spec.usermeta.phone;
  const out = width < PHONE_BELOW && phone ? { ...spec, ...phone } : { ...spec };
  const fit = (out.usermeta && out.usermeta.fit) || {};
  let key = width < PHONE_BELOW && phone ? "phone" : "wide";
  if (fit.kind === "panels") {
    const columns = Math.max(1, Math.min(fit.max, Math.floor((width + fit.gap) / (fit.min + fit.chrome + fit.gap))));
    const panel = Math.floor((width - columns * fit.chrome - (columns - 1) * fit.gap) / columns);
    out.columns = columns;
    out.spec = { ...out.spec, width: panel, height: Math.round(Math.min(180, Math.max(130, panel * 0.55))) };
    out.facet = { ...out.facet, header: { ...(out.facet && out.facet.header), labelLimit: panel } };
    key = `${columns}x${panel}`;
  } else if (fit.kind === "tiles") {
    const step = Math.max(22, Math.min(46, Math.floor((width - 8) / fit.columns)));
    out.width = { step };
    out.height = { step: Math.round((step * 40) / 46) };
    // the labels shrink with the tiles, and are cut (with "…") rather than spill into the next tile
    const fontSize = Math.max(8, Math.min(10, Math.floor(step / 4)));
    out.layer = out.layer.map((layer) => (layer.mark.type === "text"
      ? { ...layer, mark: { ...layer.mark, fontSize, limit: step - 3 } } : layer));
    key = `tiles${step}`;
  }
  return { spec: out, key };
}

async function draw(figure, spec) {
  const id = figure.dataset.chart;
  const target = document.getElementById(`${id}-target`);
  const { spec: laid, key } = fitted(spec, target.clientWidth || figure.clientWidth);
  if (figure.dataset.layout === key) return;
  figure.dataset.layout = key;
  const options = { renderer: "svg", actions: false };
  const old = figure.querySelector(".chart-controls");
  if (old) old.remove();
  if (laid.params && laid.params.some((p) => p.bind)) {
    // the chart's own controls (such as the list of ICSs to highlight) go after it, outside the drawing, which
    // is hidden from screen readers (the description and the table carry its content)
    const controls = document.createElement("div");
    controls.className = "chart-controls";
    target.after(controls);
    options.bind = controls;
  }
  if (figure.view) figure.view.finalize();
  const embed = await vega();
  const result = await embed(target, laid, options);
  figure.view = result.view;
}

async function start(figure) {
  const id = figure.dataset.chart;
  const target = document.getElementById(`${id}-target`);
  const image = document.getElementById(`${id}-image`);
  try {
    const [spec] = await Promise.all([specOf(figure), vega()]);
    await pause();  // the bundle's first run and the first drawing are separate tasks
    // drawn out of sight (the container keeps its width, which the chart takes), so the static image stays in place
    // until the chart replaces it in one step
    if (image && !image.hidden) Object.assign(target.style, { height: "0", overflow: "hidden" });
    await draw(figure, spec);
    figure.dataset.rendered = "true";
    if (image) image.hidden = true;
    const table = figure.querySelector("details.chart-data[data-no-image]");
    if (table) table.open = false;
    if (window.ResizeObserver) {
      let pending = null;
      new ResizeObserver(() => {
        clearTimeout(pending);
        pending = setTimeout(() => draw(figure, spec).catch((error) => console.error(`chart ${id}:`, error)), 150);
      }).observe(figure);
    }
  } catch (error) {
    figure.dataset.rendered = "error";
    console.error(`chart ${id}:`, error);
  } finally {
    Object.assign(target.style, { height: "", overflow: "" });
  }
}

const figures = [...document.querySelectorAll("figure.chart[data-chart]")];
const near = new Set();  // charts near the viewport, not yet started
let left = figures.length;
let working = false;

// Draws the charts near the viewport, in page order, one at a time, until none is left; a chart scrolled past
// before its turn waits until it comes near again.
async function work() {
  if (working) return;
  working = true;
  try {
    for (;;) {
      const figure = figures.find((f) => near.has(f));
      if (!figure) break;
      near.delete(figure);
      if (observer) observer.unobserve(figure);
      await start(figure);
      left -= 1;
      if (left === 0) document.body.dataset.charts = "done";
      await pause();
    }
  } finally {
    working = false;
  }
}

const observer = window.IntersectionObserver ? new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (entry.isIntersecting) near.add(entry.target);
    else near.delete(entry.target);
  }
  work();
}, { rootMargin: NEAR }) : null;

if (!figures.length) {
  document.body.dataset.charts = "done";
} else if (observer) {
  figures.forEach((figure) => observer.observe(figure));
} else {
  // a browser without IntersectionObserver draws every chart, in turn
  figures.forEach((figure) => near.add(figure));
  work();
}
