/* Confirmation before a money or irreversible step (see app/confirm.py).
 * A form with data-confirm-* attributes is held back on submit; a dialog states what
 * will happen, in the server's words; confirmed, the form is sent once with
 * confirmed=1. Cancelled, nothing is sent. Without this script the server asks on a
 * page of its own. */
(function () {
  "use strict";

  function typedValue(form, name) {
    var element = form.elements.namedItem(name);
    if (!element) return "";
    if (element.tagName === "SELECT") {
      var option = element.options[element.selectedIndex];
      return option ? option.text : "";
    }
    return (element.value || "").trim();
  }

  function amountWords(form, text) {
    var url = form.getAttribute("data-confirm-words") + "?amount=" + encodeURIComponent(text);
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) throw new Error("unreadable amount");
        return response.json();
      }
    ).then(function (body) { return body.text; });
  }

  function facts(form) {
    var listed = JSON.parse(form.getAttribute("data-confirm-facts") || "[]");
    return Promise.all(listed.map(function (fact) {
      if (!fact.field) return Promise.resolve([fact.label, fact.value]);
      var value = typedValue(form, fact.field);
      if (fact.money) {
        return amountWords(form, value).then(function (text) { return [fact.label, text]; });
      }
      return Promise.resolve([fact.label, value]);
    }));
  }

  function send(form, confirmed) {
    if (confirmed) {
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      flag.value = "1";
      form.appendChild(flag);
    }
    form.setAttribute("data-confirm-sent", "1");
    form.submit();
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  function show(form, lines) {
    var dialog = element("dialog", "confirm-dialog");
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    var title = element("h2", "", form.getAttribute("data-confirm-title"));
    title.id = "confirm-dialog-title";
    dialog.appendChild(title);
    dialog.appendChild(element("p", "confirm-lead", form.getAttribute("data-confirm-lead")));
    var list = element("dl", "facts");
    lines.forEach(function (line) {
      list.appendChild(element("dt", "", line[0]));
      list.appendChild(element("dd", "", line[1] || "—"));
    });
    dialog.appendChild(list);
    var buttons = element("div", "actions");
    var yes = element("button", form.getAttribute("data-confirm-danger") ? "danger" : "", form.getAttribute("data-confirm-button"));
    yes.type = "button";
    var no = element("button", "secondary", form.getAttribute("data-confirm-cancel"));
    no.type = "button";
    buttons.appendChild(yes);
    buttons.appendChild(no);
    dialog.appendChild(buttons);
    document.body.appendChild(dialog);
    yes.addEventListener("click", function () {
      yes.disabled = true;
      dialog.close();
      send(form, true);
    });
    no.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("close", function () { dialog.remove(); });
    dialog.showModal();
    no.focus();
  }

  /* Back to a page kept in the browser's cache: its forms may be sent again. */
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-confirm-sent]").forEach(function (form) {
      form.removeAttribute("data-confirm-sent");
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm-title")) return;
    event.preventDefault();
    if (form.getAttribute("data-confirm-sent")) return; /* sent once already */
    facts(form).then(
      function (lines) { show(form, lines); },
      /* An amount the server cannot read: let the server say so at its field. */
      function () { send(form, false); }
    );
  });
})();
