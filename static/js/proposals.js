/* AO Portal proposal editor: progressive enhancements; the editor works without them.
 *
 * - form[data-upload="<slot id>"]: the PDF is sent with XMLHttpRequest so the
 *   form's <progress> shows how much of a large file has gone; the server's
 *   answer (the document's slot, with its error if the file was refused) replaces
 *   the slot through htmx, which also swaps the checklist out of band. Without
 *   JavaScript the form is a plain multipart POST.
 * - time[data-clock]: "Saved at hh:mm" in the visitor's own time zone.
 */
(function () {
  "use strict";

  var lang = document.documentElement.lang || undefined;

  function localiseClocks(root) {
    var format;
    try {
      format = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch (error) {
      return;
    }
    root.querySelectorAll("time[data-clock]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (!isNaN(moment.getTime())) {
        element.textContent = format.format(moment);
      }
    });
  }

  function showFailure(form, text) {
    var slot = document.getElementById(form.getAttribute("data-upload"));
    var alert = document.createElement("div");
    alert.className = "alert alert-danger py-2 document-error";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    (slot || form).insertBefore(alert, form);
  }

  function upload(event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-upload")) {
      return;
    }
    if (!window.FormData || !window.htmx) {
      return; // the browser posts the form itself
    }
    event.preventDefault();
    var targetId = form.getAttribute("data-upload");
    var progress = form.querySelector("progress");
    var button = form.querySelector("[type=submit]");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.setRequestHeader("HX-Target", targetId);
    xhr.setRequestHeader("HX-Current-URL", window.location.href);
    xhr.upload.addEventListener("progress", function (progressEvent) {
      if (progress && progressEvent.lengthComputable) {
        progress.value = Math.round((progressEvent.loaded / progressEvent.total) * 100);
      }
    });
    xhr.addEventListener("load", function () {
      var redirect = xhr.getResponseHeader("HX-Redirect");
      if (redirect) {
        window.location.href = redirect;
        return;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        var target = document.getElementById(targetId);
        window.htmx.swap(target, xhr.responseText, { swapStyle: "outerHTML" });
        var fresh = document.getElementById(targetId);
        if (fresh) {
          localiseClocks(fresh);
          var error = fresh.querySelector(".document-error");
          if (error) {
            error.setAttribute("tabindex", "-1");
            error.focus();
          }
        }
        return;
      }
      if (button) {
        button.disabled = false;
      }
      if (progress) {
        progress.hidden = true;
      }
      showFailure(form, form.getAttribute("data-upload-failed") || "");
    });
    xhr.addEventListener("error", function () {
      if (button) {
        button.disabled = false;
      }
      if (progress) {
        progress.hidden = true;
      }
      showFailure(form, form.getAttribute("data-upload-failed") || "");
    });
    if (progress) {
      progress.value = 0;
      progress.hidden = false;
    }
    if (button) {
      button.disabled = true;
    }
    xhr.send(new FormData(form));
  }

  document.addEventListener("submit", upload);
  document.addEventListener("htmx:afterSettle", function (event) {
    localiseClocks(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      localiseClocks(document);
    });
  } else {
    localiseClocks(document);
  }
})();
