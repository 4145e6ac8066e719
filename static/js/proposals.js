/* AO Portal proposal editor: progressive enhancements; the editor works without them.
 *
 * - form[data-upload="<slot id>"]: the PDF is sent with XMLHttpRequest so the
 *   form's <progress> shows how much of a large file has gone; the server's
 *   answer (the document's slot, with its error if the file was refused) replaces
 *   the slot through htmx, which also swaps the checklist out of band. Without
 *   JavaScript the form is a plain multipart POST.
 * - time[data-clock]: "Saved at hh:mm Beijing time" is followed by the same
 *   moment in the visitor's own time zone, named, when that zone is not Beijing's.
 * - textarea/input[data-limit]: a counter of the characters left (the server
 *   refuses a text over the limit and keeps it; nothing is cut here).
 * - Unsaved changes: a section typed in and not saved is remembered; leaving the
 *   page then asks first (beforeunload, and a confirmation naming the sections
 *   on the page's own links, e.g. the checklist's "Review and submit").
 * - After a section is saved or refused, focus goes to its heading (or its first
 *   field in error, or the conflict notice) and #editor-announcer, a live region
 *   that stays on the page, says what happened.
 * - A section saved meanwhile by someone else: the "Use the saved …" buttons copy
 *   the saved version into the person's field, to merge by hand.
 */
(function () {
  "use strict";

  var lang = document.documentElement.lang || undefined;

  var BEIJING_OFFSET = -480; // Date.getTimezoneOffset() in Beijing, in minutes

  function zoneName() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function localiseClocks(root) {
    var format;
    try {
      format = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch (error) {
      return;
    }
    var zone = zoneName();
    root.querySelectorAll("time[data-clock]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) {
        return;
      }
      element.textContent = format.format(moment) + (zone ? " (" + zone + ")" : "");
      var local = element.closest(".saved-local");
      if (local) {
        local.hidden = moment.getTimezoneOffset() === BEIJING_OFFSET;
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
      // 429: the upload limit, with the document's slot saying when to retry.
      if ((xhr.status >= 200 && xhr.status < 300) || xhr.status === 429) {
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

  var editor = document.getElementById("editor");
  var numbers = null;
  try {
    numbers = new Intl.NumberFormat(lang);
  } catch (error) {
    numbers = null;
  }

  function say(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (match, name) {
      return values[name] === undefined ? match : values[name];
    });
  }

  function grouped(count) {
    return numbers ? numbers.format(count) : String(count);
  }

  // Character counters ------------------------------------------------------------

  function updateCounter(field) {
    var counter = document.getElementById(field.id + "-count");
    if (!counter || !editor) {
      return;
    }
    var limit = Number(field.getAttribute("data-limit"));
    var used = Array.from(field.value).length;
    var over = used > limit;
    counter.textContent = over
      ? say(editor.getAttribute("data-count-over"), { count: grouped(used - limit) })
      : say(editor.getAttribute("data-count-left"), { count: grouped(limit - used) });
    counter.classList.toggle("char-count-over", over);
  }

  function addCounters(root) {
    root.querySelectorAll("[data-limit]").forEach(function (field) {
      if (!field.id || document.getElementById(field.id + "-count")) {
        updateCounter(field);
        return;
      }
      var counter = document.createElement("div");
      counter.id = field.id + "-count";
      counter.className = "form-text char-count";
      field.insertAdjacentElement("afterend", counter);
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(counter.id);
      field.setAttribute("aria-describedby", described.join(" "));
      updateCounter(field);
    });
  }

  // Unsaved changes ---------------------------------------------------------------

  var dirty = {};
  var leaving = false;

  function cardOf(element) {
    return element && element.closest ? element.closest(".editor-card") : null;
  }

  function cardLabel(card) {
    var heading = card.querySelector("h2");
    return heading ? heading.textContent.trim() : card.id;
  }

  function unsavedLabels() {
    return Object.keys(dirty).map(function (id) {
      return dirty[id];
    });
  }

  function markDirty(event) {
    var target = event.target;
    if (!target.form || target.form.hasAttribute("data-upload") || target.type === "file") {
      return;
    }
    var card = cardOf(target);
    if (card && card.id) {
      dirty[card.id] = cardLabel(card);
    }
    if (target.hasAttribute && target.hasAttribute("data-limit")) {
      updateCounter(target);
    }
  }

  function leavesPage(link, event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return false;
    }
    if (link.target && link.target !== "_self") {
      return false;
    }
    if (link.hasAttribute("download")) {
      return false;
    }
    var url = new URL(link.href, window.location.href);
    var here = new URL(window.location.href);
    return !(url.hash && url.origin === here.origin && url.pathname === here.pathname &&
             url.search === here.search);
  }

  function confirmLeaving(event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || !unsavedLabels().length || !leavesPage(link, event)) {
      return;
    }
    var question = say(editor.getAttribute("data-unsaved"), { sections: unsavedLabels().join(", ") });
    if (window.confirm(question)) {
      leaving = true;
    } else {
      event.preventDefault();
    }
  }

  function warnBeforeUnload(event) {
    if (leaving || !unsavedLabels().length) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = "";
    return "";
  }

  // After a section is saved or refused -------------------------------------------

  function announce(text) {
    var region = document.getElementById("editor-announcer");
    if (!region) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function focusOn(element) {
    if (!element) {
      return;
    }
    if (!element.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(element.tagName)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  function afterCardSwap(card) {
    var label = cardLabel(card);
    addCounters(card);
    enableUseSaved(card);
    var conflict = card.querySelector(".section-conflict");
    var invalid = card.querySelector(".is-invalid, .alert-block.alert-danger");
    if (card.hasAttribute("data-refused") && !invalid) {
      invalid = card.querySelector("h2");
    }
    if (conflict) {
      dirty[card.id] = label;
      focusOn(conflict);
      announce(say(editor.getAttribute("data-conflict-announcement"), { section: label }));
      return;
    }
    if (invalid) {
      dirty[card.id] = label;
      focusOn(invalid);
      announce(say(editor.getAttribute("data-refused-announcement"), { section: label }));
      return;
    }
    delete dirty[card.id];
    focusOn(card.querySelector("h2"));
    var saved = card.querySelector(".saved-at");
    var text = say(editor.getAttribute("data-saved-announcement"), { section: label });
    announce(saved ? text + " " + saved.innerText.trim() : text);
  }

  // What was saved meanwhile -------------------------------------------------------

  function enableUseSaved(root) {
    root.querySelectorAll("[data-use-saved]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function useSaved(event) {
    var button = event.target.closest ? event.target.closest("[data-use-saved]") : null;
    if (!button) {
      return;
    }
    var id = button.getAttribute("data-use-saved");
    var field = document.getElementById(id);
    var saved = document.getElementById(id + "-saved");
    if (!field) {
      return;
    }
    field.value = button.hasAttribute("data-value") ? button.getAttribute("data-value") : (saved ? saved.value : "");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  }

  if (editor) {
    document.addEventListener("input", markDirty);
    document.addEventListener("change", markDirty);
    document.addEventListener("click", confirmLeaving);
    document.addEventListener("click", useSaved);
    window.addEventListener("beforeunload", warnBeforeUnload);
    document.addEventListener("htmx:beforeSwap", function (event) {
      var target = event.detail.target;
      if (target && target.classList && target.classList.contains("editor-card")) {
        event.detail.xhr.aoCard = target.id;
      }
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    localiseClocks(event.target);
    var id = event.detail.xhr ? event.detail.xhr.aoCard : null;
    if (editor && id) {
      event.detail.xhr.aoCard = null;
      var card = document.getElementById(id);
      if (card) {
        afterCardSwap(card);
      }
    }
  });

  function start() {
    localiseClocks(document);
    if (!editor) {
      return;
    }
    addCounters(document);
    enableUseSaved(document);
    // A page sent back with a section refused holds text that is not saved.
    document.querySelectorAll(".editor-card[data-refused], .editor-card[data-conflict]").forEach(function (card) {
      dirty[card.id] = cardLabel(card);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
