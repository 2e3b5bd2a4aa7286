// Draws every chart on the page with vega-embed, from its Vega-Lite spec: a JSON file beside the page
// (figure[data-spec]) or a JSON script element inside the figure. Loaded as a module after the Vega bundle
// (also a module), so window.vegaEmbed is ready. The static image stays for readers without JavaScript.
async function specOf(figure, id) {
  if (figure.dataset.spec) {
    const response = await fetch(figure.dataset.spec);
    if (!response.ok) throw new Error(`${figure.dataset.spec}: HTTP ${response.status}`);
    return response.json();
  }
  return JSON.parse(document.getElementById(`${id}-spec`).textContent);
}

async function draw(figure) {
  const id = figure.dataset.chart;
  try {
    const spec = await specOf(figure, id);
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
  } catch (error) {
    figure.dataset.rendered = "error";
    console.error(`chart ${id}:`, error);
  }
}

Promise.all([...document.querySelectorAll("figure.chart[data-chart]")].map(draw))
  .then(() => { document.body.dataset.charts = "done"; });
