// Live preview for Markdown editors: as the organiser types, the text is sent (with the form's token) to the
// server, which renders and sanitises it exactly as it will be stored, and the preview panel shows the result.
// Without JavaScript the form's Preview button does the same with a page reload.
(function () {
  "use strict";
  var source = document.querySelector("textarea[data-preview]");
  if (!source || !window.fetch) { return; }
  var form = source.form;
  var token = form && form.querySelector('input[name="csrf_token"]');
  var panel = document.getElementById(source.getAttribute("data-preview"));
  if (!token || !panel) { return; }
  var timer = null;
  function render() {
    var body = new URLSearchParams();
    body.set("csrf_token", token.value);
    body.set("text", source.value);
    fetch("/admin/preview", { method: "POST", credentials: "same-origin", body: body })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        panel.hidden = false;
        panel.querySelector(".prose").innerHTML = html; // sanitised by the server, as on save
      })
      .catch(function () {});
  }
  source.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(render, 400);
  });
})();
