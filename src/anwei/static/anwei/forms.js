// A form shown again with errors: a summary at its top lists every error, each linked to its field, and takes the
// focus, so a phone user whose errors sit below the fold sees them at once (no framework; a static file for the CSP).
(function () {
  "use strict";
  function labelFor(field) {
    if (field.id) {
      var label = document.querySelector('label[for="' + field.id + '"]');
      if (label) return label.textContent.replace(/[：:]\s*$/, "").trim();
    }
    var set = field.closest("fieldset");
    var legend = set && set.querySelector("legend");
    return legend ? legend.textContent.trim() : "";
  }
  function summarise(form, title) {
    var items = [];
    var seen = [];
    form.querySelectorAll(".errorlist").forEach(function (list) {
      var box = list.closest(".field, fieldset") || list.parentElement;
      var field = box && box !== form ? box.querySelector('[aria-invalid="true"], input:not([type=hidden]), select, textarea') : null;
      items.push({ text: list.textContent.replace(/\s+/g, " ").trim(), field: field });
      if (field) seen.push(field);
    });
    form.querySelectorAll('[aria-invalid="true"]').forEach(function (field) {
      if (seen.indexOf(field) === -1) items.push({ text: "", field: field });
    });
    if (!items.length) return null;
    var summary = document.createElement("div");
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    summary.tabIndex = -1;
    var heading = document.createElement("h2");
    heading.textContent = title;
    summary.appendChild(heading);
    var ul = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var label = item.field ? labelFor(item.field) : "";
      var text = (label ? label + "：" : "") + item.text;
      if (item.field && item.field.id) {
        var a = document.createElement("a");
        a.href = "#" + item.field.id;
        a.textContent = text;
        a.addEventListener("click", function (event) {
          event.preventDefault();
          item.field.focus();
        });
        li.appendChild(a);
      } else {
        li.textContent = text;
      }
      ul.appendChild(li);
    });
    summary.appendChild(ul);
    form.insertBefore(summary, form.firstChild);
    return summary;
  }
  function run() {
    var template = document.getElementById("error-summary-title");
    var title = template ? template.content.textContent.trim() : "";
    var first = null;
    document.querySelectorAll("main form").forEach(function (form) {
      if (form.querySelector(".error-summary")) return;
      var summary = summarise(form, title);
      if (summary && !first) first = summary;
    });
    if (first) first.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
