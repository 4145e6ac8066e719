/* AO Portal: the review form's weighted score, updated as the reviewer scores.
 *
 * Each criterion's <fieldset data-weight="40"> holds its 1–5 radio buttons;
 * <output data-weighted-score> shows Σ weight × score ÷ Σ weight over the
 * criteria scored (as reviews.scoring.weighted_score computes it). Without
 * JavaScript the page shows the score as last saved.
 */
(function () {
  "use strict";

  function update(form) {
    var output = form.querySelector("[data-weighted-score]");
    if (!output) {
      return;
    }
    var weighted = 0;
    var total = 0;
    form.querySelectorAll("fieldset[data-weight]").forEach(function (fieldset) {
      var weight = parseFloat(fieldset.getAttribute("data-weight"));
      var checked = fieldset.querySelector("input[type=radio]:checked");
      if (!checked || !(weight > 0)) {
        return;
      }
      weighted += weight * parseInt(checked.value, 10);
      total += weight;
    });
    output.textContent = total > 0 ? (weighted / total).toFixed(2) : "—";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-review-form]").forEach(function (form) {
      form.addEventListener("change", function () {
        update(form);
      });
      update(form);
    });
  });
})();
