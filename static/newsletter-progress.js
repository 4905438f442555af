// Follows a newsletter's delivery while it goes out: reads the progress every two seconds and updates the
// figures in place. Without JavaScript the page refreshes itself instead (a <noscript> refresh).
(function () {
  "use strict";
  var panel = document.getElementById("progress");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-url");
  function set(name, value) {
    var el = panel.querySelector('[data-field="' + name + '"]');
    if (el) { el.textContent = String(value); }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        if (p.status === "sent") { set("recipients", p.recipients); }
        set("total", p.total);
        set("sent", p.sent);
        set("failed", p.failed);
        set("waiting", p.waiting);
        if (p.done) {
          set("state", "Finished: " + p.sent + " delivered, " + p.failed + " failed.");
          // The status line above the panel was written while the issue was going out.
          var status = document.getElementById("newsletter-status");
          if (status && p.status === "sent") { status.textContent = "sent"; }
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
