// dunguard web: progressive enhancement only; every form also works without this script.
// Uploads with a progress bar: the form is sent with XMLHttpRequest so that upload progress
// can be shown; when the server answers, the browser goes where the server redirected.
(function () {
  "use strict";
  function enhanceUpload(form) {
    var box = document.getElementById(form.getAttribute("data-progress"));
    if (!box || !window.FormData || !window.XMLHttpRequest) { return; }
    var bar = box.querySelector("progress");
    var status = box.querySelector("[role=status]");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      box.hidden = false;
      button.disabled = true;
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round((100 * e.loaded) / e.total);
          bar.value = pct;
          bar.textContent = pct + "%";
          status.textContent = pct + "%";
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.value = 100;
        bar.removeAttribute("value"); // indeterminate while the server reads the files
        status.textContent = form.getAttribute("data-reading") || "…";
      });
      xhr.addEventListener("load", function () {
        var type = xhr.getResponseHeader("content-type") || "";
        if (xhr.status >= 200 && xhr.status < 300 && xhr.responseURL) {
          window.location.assign(xhr.responseURL);
        } else if (type.indexOf("json") >= 0) {
          // The size limit answers in JSON before the page could: show its message here.
          var message = "";
          try { message = JSON.parse(xhr.responseText).error || ""; } catch (e) { message = ""; }
          button.disabled = false;
          bar.value = 0;
          status.textContent = message || form.getAttribute("data-failed") || "Upload failed";
          status.setAttribute("role", "alert");
        } else {
          document.open();
          document.write(xhr.responseText);
          document.close();
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        status.textContent = form.getAttribute("data-failed") || "Upload failed";
      });
      xhr.send(new FormData(form));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-progress]");
    for (var i = 0; i < forms.length; i++) { enhanceUpload(forms[i]); }
  });
})();
