// ehcpack serve: the document form. Collects the answers by the form's structure, checks them
// as the SENCO types or leaves a field, saves them, and keeps list items numbered. All text from
// the server is set with textContent (never as HTML).
"use strict";

(function () {
  function collect(container) {
    var out = {};
    var children = container.querySelectorAll(":scope > [data-kind]");
    children.forEach(function (c) {
      out[c.dataset.key] = valueOf(c);
    });
    return out;
  }

  function controlOf(field) {
    return field.querySelector(":scope > input, :scope > select, :scope > textarea");
  }

  function valueOf(c) {
    var kind = c.dataset.kind;
    if (kind === "scalar") {
      var control = controlOf(c);
      // A value shown with the protected address withheld: kept as the file has it unless
      // the SENCO rewrote it.
      if (control.dataset.keep && control.value === control.defaultValue) return { "$unchanged": true };
      return control.value === "" ? null : control.value;
    }
    if (kind === "object") return collect(c.querySelector(":scope > .fields"));
    if (kind === "list") {
      var items = [];
      c.querySelectorAll(":scope > ol > li.item").forEach(function (li) {
        var fields = li.querySelector(":scope > .fields");
        if (li.dataset.kind === "object-item") items.push(collect(fields));
        else items.push(valueOf(fields.querySelector(":scope > [data-kind]")));
      });
      return items;
    }
    return null;
  }

  // Every field's id, help and error ids follow its JSON Pointer; list items are renumbered.
  function number(container, prefix) {
    container.querySelectorAll(":scope > [data-kind]").forEach(function (c) {
      var p = c.dataset.key === "" ? prefix : prefix + "/" + c.dataset.key;
      name(c, p);
    });
  }

  function setIds(el, p, hint, error) {
    var h = el.querySelector(":scope > .hint:not(.withheld)");
    var e = el.querySelector(":scope > .error-message");
    if (h) h.id = "h" + p;
    if (e) e.id = "e" + p;
  }

  function name(c, p) {
    var kind = c.dataset.kind;
    setIds(c, p);
    if (kind === "scalar") {
      var control = controlOf(c);
      control.id = "f" + p;
      control.name = p;
      control.setAttribute("aria-describedby", "h" + p + " e" + p);
      var label = c.querySelector(":scope > label");
      if (label) label.htmlFor = "f" + p;
    } else {
      c.id = "f" + p;
      c.setAttribute("aria-describedby", "h" + p + " e" + p);
      if (kind === "object") number(c.querySelector(":scope > .fields"), p);
      if (kind === "list") {
        var label = c.dataset.itemLabel;
        c.querySelectorAll(":scope > ol > li.item").forEach(function (li, i) {
          var title = label.charAt(0).toUpperCase() + label.slice(1) + " " + (i + 1);
          li.querySelector(".item-title").textContent = title;
          li.querySelectorAll(".item-head .visually-hidden").forEach(function (s) {
            s.textContent = " " + title;
          });
          var fields = li.querySelector(":scope > .fields");
          if (li.dataset.kind === "scalar-item") {
            var only = fields.querySelector(":scope > [data-kind]");
            name(only, p + "/" + i);
            var l = only.querySelector(":scope > label");
            if (l) l.textContent = title;
          } else {
            number(fields, p + "/" + i);
          }
        });
      }
    }
  }

  function fieldFor(pointer) {
    // The field itself, or the nearest group that holds it (a missing field's block).
    var p = pointer;
    for (;;) {
      var el = document.getElementById("f" + p);
      if (el) return { el: el, pointer: p };
      if (p === "") return null;
      p = p.slice(0, p.lastIndexOf("/"));
    }
  }

  function showFindings(form, findings) {
    var file = form.dataset.file;
    form.querySelectorAll(".error-message").forEach(function (e) {
      e.textContent = "";
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (e) {
      e.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".has-error").forEach(function (e) {
      e.classList.remove("has-error");
    });
    var list = document.getElementById("error-summary-list");
    var summary = document.getElementById("error-summary");
    if (list) list.textContent = "";
    var here = findings.filter(function (f) {
      return f.file === file;
    });
    here.forEach(function (f) {
      var found = fieldFor(f.pointer || "");
      var words = (f.severity === "error" ? "Error: " : "Warning: ") + f.message;
      if (found) {
        var error = document.getElementById("e" + found.pointer);
        if (error) {
          var line = document.createElement("span");
          line.className = f.severity;
          line.textContent = words;
          var help = document.createElement("span");
          help.className = "help-text";
          help.textContent = f.help;
          error.appendChild(line);
          error.appendChild(help);
        }
        var holder = found.el.closest(".field, .group");
        if (holder) holder.classList.add("has-error");
        if (f.severity === "error") found.el.setAttribute("aria-invalid", "true");
      }
      if (list) {
        var li = document.createElement("li");
        li.className = f.severity;
        var a = document.createElement("a");
        a.href = "#f" + (found ? found.pointer : "");
        a.textContent = words;
        var help = document.createElement("span");
        help.className = "help";
        help.textContent = " " + f.help;
        li.appendChild(a);
        li.appendChild(help);
        list.appendChild(li);
      }
    });
    if (summary) summary.hidden = here.length === 0;
  }

  function showChecklist(reply) {
    var verdict = document.getElementById("verdict");
    if (verdict) verdict.textContent = reply.verdict;
    var list = document.getElementById("checklist");
    if (!list || !reply.checklist) return;
    var words = {
      done: "Done",
      warnings: "Done, with warnings",
      errors: "To do",
      "not-checked": "Not checked yet",
    };
    list.textContent = "";
    var done = 0;
    reply.checklist.forEach(function (item) {
      var li = document.createElement("li");
      li.className = item.mark;
      var mark = document.createElement("span");
      mark.className = "mark";
      mark.textContent = words[item.mark] + ":";
      li.appendChild(mark);
      li.appendChild(document.createTextNode(" " + item.title));
      var mine = reply.findings.filter(function (f) {
        return f.item === item.title;
      });
      if (mine.length) {
        var ul = document.createElement("ul");
        mine.slice(0, 5).forEach(function (f) {
          var entry = document.createElement("li");
          var a = document.createElement("a");
          a.href = f.href;
          a.textContent = f.message;
          entry.appendChild(a);
          if (f.file) entry.appendChild(document.createTextNode(" (" + f.file + ")"));
          ul.appendChild(entry);
        });
        if (mine.length > 5) {
          var more = document.createElement("li");
          more.textContent = "and " + (mine.length - 5) + " more";
          ul.appendChild(more);
        }
        li.appendChild(ul);
      }
      list.appendChild(li);
      if (item.mark === "done") done += 1;
    });
    var count = document.getElementById("checklist-done");
    if (count) count.textContent = done + " of " + reply.checklist.length + " done.";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    }).then(function (r) {
      return r.json().then(function (j) {
        return { status: r.status, body: j };
      });
    });
  }

  function setupForm(form) {
    var fields = form.querySelector(":scope > .fields");
    var state = document.getElementById("save-state");
    var conflict = document.getElementById("conflict");
    var timer = null;
    var sent = 0;

    function answers() {
      return { version: form.dataset.version, values: collect(fields) };
    }

    // One request at a time, in order: a check sent before a save must not reach the server
    // after it (it would carry the old version and read as someone else's change).
    var queue = Promise.resolve();
    function enqueue(task) {
      queue = queue.then(task, task);
      return queue;
    }

    function check() {
      var n = ++sent;
      enqueue(function () {
        if (n !== sent) return null; // a later check will say the same, newer
        return post(form.dataset.check, answers()).then(function (r) {
          if (r.status === 409 && r.body.conflict) {
            conflict.hidden = false;
            return;
          }
          if (r.status !== 200) {
            state.textContent = r.body.error || "The answers could not be checked.";
            return;
          }
          showFindings(form, r.body.findings);
          showChecklist(r.body);
        });
      });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(check, 700);
    }

    form.addEventListener("input", later);
    form.addEventListener("change", function () {
      clearTimeout(timer);
      check();
    });
    form.addEventListener("focusout", function (e) {
      if (e.target.matches("input, select, textarea")) {
        clearTimeout(timer);
        check();
      }
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearTimeout(timer);
      state.textContent = "Saving...";
      sent += 1; // checks still waiting are not needed after the save
      enqueue(function () {
        return post(form.dataset.save, answers());
      }).then(function (r) {
        if (r.status === 409 && r.body.conflict) {
          conflict.hidden = false;
          state.textContent = "Not saved.";
          conflict.querySelector("button").focus();
          return;
        }
        if (r.status !== 200) {
          state.textContent = r.body.error || "Not saved.";
          return;
        }
        form.dataset.version = r.body.version;
        var now = new Date();
        state.textContent =
          "Saved at " + now.toTimeString().slice(0, 5) + ". " + r.body.verdict;
        showFindings(form, r.body.findings);
        showChecklist(r.body);
      });
    });

    document.getElementById("reload").addEventListener("click", function () {
      window.location.reload();
    });

    form.addEventListener("click", function (e) {
      var button = e.target.closest("button");
      if (!button || button.type === "submit") return;
      var group = button.closest("fieldset.list");
      if (button.classList.contains("add")) {
        var template = group.querySelector(":scope > template");
        var li = template.content.firstElementChild.cloneNode(true);
        group.querySelector(":scope > ol").appendChild(li);
        number(fields, "");
        var first = li.querySelector("input, select, textarea");
        if (first) first.focus();
        later();
        return;
      }
      var item = button.closest("li.item");
      if (!item) return;
      var ol = item.parentElement;
      if (button.classList.contains("remove")) {
        var next = item.nextElementSibling || item.previousElementSibling;
        item.remove();
        number(fields, "");
        var target = next ? next.querySelector("button") : group.querySelector(":scope > button.add");
        target.focus();
        state.textContent = "Item removed.";
      } else if (button.classList.contains("up") && item.previousElementSibling) {
        ol.insertBefore(item, item.previousElementSibling);
        number(fields, "");
        button.focus();
      } else if (button.classList.contains("down") && item.nextElementSibling) {
        ol.insertBefore(item.nextElementSibling, item);
        number(fields, "");
        button.focus();
      }
      later();
    });

    var initial = document.getElementById("initial-findings");
    if (initial) showFindings(form, JSON.parse(initial.textContent));
    number(fields, "");
  }

  function setupUpload(form) {
    var error = form.querySelector(".error-message");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      error.textContent = "";
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) {
        error.textContent = "Choose a PDF file to add.";
        return;
      }
      var q = new URLSearchParams();
      q.set("name", file.name);
      ["title", "author", "date", "type"].forEach(function (k) {
        var el = form.querySelector("[name=" + k + "]");
        if (el && el.value) q.set(k, el.value);
      });
      fetch(form.dataset.action + "?" + q.toString(), {
        method: "POST",
        headers: { "Content-Type": "application/pdf" },
        body: file,
        credentials: "same-origin",
      })
        .then(function (r) {
          return r.json().then(function (j) {
            return { status: r.status, body: j };
          });
        })
        .then(function (r) {
          if (r.status !== 200) {
            error.textContent = r.body.error || "The report could not be added.";
            return;
          }
          window.location.reload();
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("doc-form");
    if (form) setupForm(form);
    document.querySelectorAll("form.upload").forEach(setupUpload);
  });
})();
