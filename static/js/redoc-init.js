// Starts ReDoc on the API documentation page (templates/drf_spectacular/redoc.html).
// ReDoc's styles go into <style> elements it creates: it marks them with the
// nonce of this script's own element, which the Content-Security-Policy accepts.
(() => {
  "use strict";
  const script = document.currentScript;
  Redoc.init(
    script.dataset.specUrl,
    // Search runs in a worker made from a blob: URL, which the policy refuses.
    { nonce: script.nonce, disableSearch: true },
    document.getElementById("redoc-container"),
  );
})();
