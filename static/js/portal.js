/* AO Portal: small progressive enhancements; every page works without them.
 *
 * - <time datetime="…" data-local-time>: the server writes the moment in UTC;
 *   here it is rewritten in the visitor's own time zone, named.
 * - [data-countdown="ISO"]: a live count of the time left before a deadline.
 * - htmx requests that fail (refused, server error, no connection) show the
 *   translated message of #request-error instead of failing silently; htmx
 *   swaps nothing then, so what the person typed stays on the page.
 */
(function () {
  "use strict";

  var lang = document.documentElement.lang || undefined;

  function zoneName() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // A moment written as the server writes Beijing time (catalogue_tags.beijing,
  // config/formats): "31 Aug 2026, 17:59", "2026年8月31日 17:59".
  function writeMoment(parts) {
    var time = parts.hour + ":" + parts.minute;
    if (/^zh/i.test(lang || "")) {
      return parts.year + "年" + Number(parts.month) + "月" + Number(parts.day) + "日 " + time;
    }
    return Number(parts.day) + " " + MONTHS[Number(parts.month) - 1] + " " + parts.year + ", " + time;
  }

  function localiseTimes(root) {
    var zone = zoneName();
    var format;
    try {
      format = new Intl.DateTimeFormat("en-GB", {
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      });
    } catch (error) {
      return;
    }
    root.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var moment = new Date(element.getAttribute("datetime"));
      if (isNaN(moment.getTime())) {
        return;
      }
      var parts = {};
      format.formatToParts(moment).forEach(function (part) {
        parts[part.type] = part.value;
      });
      element.textContent = writeMoment(parts) + (zone ? " (" + zone + ")" : "");
      element.setAttribute("data-local-zone", zone);
    });
  }

  function unitFormatter(unit) {
    try {
      return new Intl.NumberFormat(lang, {
        style: "unit",
        unit: unit,
        unitDisplay: "long",
      });
    } catch (error) {
      return null;
    }
  }

  var units = [
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
    ["second", 1],
  ].map(function (pair) {
    return { seconds: pair[1], format: unitFormatter(pair[0]) };
  });

  function describeDuration(totalSeconds) {
    var parts = [];
    var rest = totalSeconds;
    units.forEach(function (unit) {
      var amount = Math.floor(rest / unit.seconds);
      rest -= amount * unit.seconds;
      if (unit.format && (amount > 0 || parts.length > 0)) {
        parts.push(unit.format.format(amount));
      }
    });
    // Above a day, seconds only add noise.
    if (totalSeconds >= 86400) {
      parts = parts.slice(0, 3);
    }
    return parts.join(" ");
  }

  function startCountdowns(root) {
    var counters = Array.prototype.slice.call(root.querySelectorAll("[data-countdown]"));
    if (!counters.length || !units[0].format) {
      return;
    }
    function tick() {
      var now = Date.now();
      counters.forEach(function (element) {
        var target = new Date(element.getAttribute("data-countdown")).getTime();
        var value = element.querySelector("[data-countdown-value]");
        if (isNaN(target) || !value) {
          return;
        }
        var left = Math.floor((target - now) / 1000);
        if (left <= 0) {
          value.textContent = element.getAttribute("data-countdown-passed") || "";
          element.classList.add("countdown-passed");
        } else {
          value.textContent = describeDuration(left);
        }
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }

  function showRequestError(kind) {
    var banner = document.getElementById("request-error");
    if (!banner) {
      return;
    }
    banner.textContent = banner.getAttribute("data-" + kind) || "";
    banner.hidden = false;
    banner.scrollIntoView({ block: "nearest" });
  }

  // A limit reached (429) comes back with the form as typed and the message
  // saying when to try again: swap it in like a success, not as an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showRequestError(status === 403 || status === 404 ? "forbidden" : "failed");
  });
  document.addEventListener("htmx:sendError", function () {
    showRequestError("offline");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var banner = document.getElementById("request-error");
    if (banner) {
      banner.hidden = true;
    }
  });

  function enhance() {
    localiseTimes(document);
    startCountdowns(document);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
