// Draws every chart on the page with vega-embed, from its Vega-Lite spec: a JSON file beside the page
// (figure[data-spec], same origin). Loaded as a module after the Vega bundle (also a module), so window.vegaEmbed is
// ready. Without JavaScript the static image shows, or, for a chart built without one, its table (open); once the
// chart is drawn, the image is hidden and such a table is folded like the others.
async function specOf(figure) {
  const response = await fetch(figure.dataset.spec);
  if (!response.ok) throw new Error(`${figure.dataset.spec}: HTTP ${response.status}`);
  return response.json();
}

async function draw(figure) {
  const id = figure.dataset.chart;
  try {
    const spec = await specOf(figure);
    const target = document.getElementById(`${id}-target`);
    const options = { renderer: "svg", actions: false };
    if (spec.params && spec.params.some((p) => p.bind)) {
      // the chart's own controls (such as the list of ICSs to highlight) go after it, outside the drawing, which
      // is hidden from screen readers (the description and the table carry its content)
      const controls = document.createElement("div");
      controls.className = "chart-controls";
      target.after(controls);
      options.bind = controls;
    }
    await window.vegaEmbed(target, spec, options);
    figure.dataset.rendered = "true";
    const image = document.getElementById(`${id}-image`);
    if (image) image.hidden = true;
    const table = figure.querySelector("details.chart-data[data-no-image]");
    if (table) table.open = false;
  } catch (error) {
    figure.dataset.rendered = "error";
    console.error(`chart ${id}:`, error);
  }
}

Promise.all([...document.querySelectorAll("figure.chart[data-chart]")].map(draw))
  .then(() => { document.body.dataset.charts = "done"; });
