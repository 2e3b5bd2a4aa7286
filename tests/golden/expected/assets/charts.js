// Draws every chart on the page with vega-embed, from the JSON spec that sits beside it.
// Loaded as a module after the Vega bundle (also a module), so window.vegaEmbed is ready.
const figures = document.querySelectorAll("figure.chart[data-chart]");
const pending = [];
for (const figure of figures) {
  const id = figure.dataset.chart;
  const spec = JSON.parse(document.getElementById(`${id}-spec`).textContent);
  const target = document.getElementById(`${id}-target`);
  pending.push(
    window.vegaEmbed(target, spec, { renderer: "svg", actions: false })
      .then(() => {
        figure.dataset.rendered = "true";
        const image = document.getElementById(`${id}-image`);  // the static image stays for readers without JavaScript
        if (image) image.hidden = true;
      })
      .catch((error) => { figure.dataset.rendered = "error"; console.error(`chart ${id}:`, error); })
  );
}
Promise.all(pending).then(() => { document.body.dataset.charts = "done"; });
