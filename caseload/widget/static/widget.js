/* Caseload reference booking widget: plain JavaScript, no build step, no dependencies.
 *
 * Embed with one snippet (see the README):
 *   <script src="https://YOUR-CASELOAD/widget/widget.js" data-key="pk_live_..."
 *           data-practice="your-practice-slug" async></script>
 *
 * It speaks only the public GraphQL surface a publishable key opens: publicPractice,
 * publicAvailability and bookAsGuest. Everything it shows is set with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var KEY = script.getAttribute("data-key") || "";
  var SLUG = script.getAttribute("data-practice") || "";
  var API = script.getAttribute("data-api") || new URL(script.src).origin + "/graphql";
  var DAYS = 7;

  var PRACTICE = "query Practice($slug: String!) { publicPractice(slug: $slug) { name timezone " +
    "practitioners { id name timezone sessionPrice { amount currency } } } }";
  var AVAILABILITY = "query Free($id: ID!, $from: DateTime!, $to: DateTime!) { " +
    "publicAvailability(practitionerId: $id, from: $from, to: $to) { startsAt endsAt } }";
  var BOOK = "mutation Book($input: BookAsGuestInput!) { bookAsGuest(input: $input) { " +
    "booking { reference startsAt endsAt party price { amount currency } " +
    "practitioner { name } } userErrors { field code message } } }";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function graphql(query, variables) {
    return fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Caseload-Key": KEY },
      body: JSON.stringify({ query: query, variables: variables })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (body.errors && body.errors.length) {
          var wait = response.headers.get("Retry-After");
          var message = body.errors[0].message + (wait ? " (" + wait + " s)" : "");
          throw new Error(message);
        }
        return body.data;
      });
    });
  }

  function money(price) { return price.amount + " " + price.currency; }

  function localTime(iso, timezone) {
    return new Intl.DateTimeFormat(undefined, {
      weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
      timeZone: timezone
    }).format(new Date(iso));
  }

  function field(label, name, type, required) {
    var attrs = { name: name, type: type || "text" };
    if (required) { attrs.required = "required"; }
    return el("label", { "class": "cw-field" }, [label, el("input", attrs)]);
  }

  var root = el("div", { "class": "caseload-widget" });
  script.parentNode.insertBefore(root, script.nextSibling);
  var style = el("style", {}, [
    ".caseload-widget{font:15px/1.4 system-ui,sans-serif;max-width:34rem}" +
    ".caseload-widget .cw-field{display:block;margin:.3rem 0}" +
    ".caseload-widget .cw-field input{display:block;width:100%;padding:.3rem}" +
    ".caseload-widget .cw-times button{margin:.15rem}" +
    ".caseload-widget .cw-times button[aria-pressed=true]{font-weight:bold;outline:2px solid}" +
    ".caseload-widget .cw-errors{color:#a00}"
  ]);
  var title = el("h3", {}, ["Book a session"]);
  var practitioner = el("select", { name: "practitioner" });
  var times = el("div", { "class": "cw-times", role: "group" });
  var forSelf = el("input", { type: "radio", name: "for", value: "self", checked: "checked" });
  var forOther = el("input", { type: "radio", name: "for", value: "other" });
  var attendee = el("fieldset", { "class": "cw-attendee", hidden: "hidden" }, [
    el("legend", {}, ["Who will attend"]),
    field("First name", "attendeeFirstName", "text", false),
    field("Last name", "attendeeLastName", "text", false),
    field("Email (optional)", "attendeeEmail", "email", false)
  ]);
  var form = el("form", { novalidate: "novalidate" }, [
    el("label", { "class": "cw-field" }, ["Practitioner", practitioner]),
    el("p", {}, ["Free times"]), times,
    el("p", {}, ["Who is this session for? ",
      el("label", {}, [forSelf, " Me"]), " ", el("label", {}, [forOther, " Someone else"])]),
    el("fieldset", {}, [el("legend", {}, ["Your details (you pay)"]),
      field("First name", "bookerFirstName", "text", true),
      field("Last name", "bookerLastName", "text", true),
      field("Email", "bookerEmail", "email", true),
      field("Phone (optional)", "bookerPhone", "tel", false)]),
    attendee,
    field("Card token (test: tok_visa)", "paymentToken", "text", true),
    el("button", { type: "submit", name: "book" }, ["Book session"])
  ]);
  var errors = el("ul", { "class": "cw-errors", role: "alert" });
  var result = el("div", { "class": "cw-result", role: "status" });
  [style, title, form, errors, result].forEach(function (node) { root.appendChild(node); });

  var people = {};
  var chosen = null;
  var attempt = null;  // one idempotency key per booking attempt: a retry books once

  function showErrors(messages) {
    errors.textContent = "";
    messages.forEach(function (m) { errors.appendChild(el("li", {}, [m])); });
  }

  function loadTimes() {
    var who = people[practitioner.value];
    chosen = null;
    times.textContent = "Loading…";
    var from = new Date();
    var to = new Date(from.getTime() + DAYS * 24 * 3600 * 1000);
    graphql(AVAILABILITY, { id: who.id, from: from.toISOString(), to: to.toISOString() })
      .then(function (data) {
        times.textContent = "";
        var slots = data.publicAvailability;
        if (!slots.length) { times.textContent = "No free times in the next week."; }
        slots.forEach(function (slot) {
          var button = el("button", { type: "button", "data-starts-at": slot.startsAt,
            "aria-pressed": "false" }, [localTime(slot.startsAt, who.timezone)]);
          button.addEventListener("click", function () {
            Array.prototype.forEach.call(times.querySelectorAll("button"), function (b) {
              b.setAttribute("aria-pressed", "false");
            });
            button.setAttribute("aria-pressed", "true");
            chosen = slot.startsAt;
          });
          times.appendChild(button);
        });
      })
      .catch(function (error) { times.textContent = ""; showErrors([error.message]); });
  }

  function value(name) { return form.elements[name].value.trim(); }

  function bookingInput() {
    var input = {
      practitionerId: people[practitioner.value].id, startsAt: chosen,
      booker: { firstName: value("bookerFirstName"), lastName: value("bookerLastName"),
                email: value("bookerEmail"), phone: value("bookerPhone") || null },
      paymentToken: value("paymentToken"), idempotencyKey: attempt
    };
    if (forOther.checked) {
      input.attendee = { firstName: value("attendeeFirstName"),
                         lastName: value("attendeeLastName"),
                         email: value("attendeeEmail") || null };
    }
    return input;
  }

  function confirm(booking) {
    form.hidden = true;
    result.textContent = "";
    result.appendChild(el("p", { "class": "cw-confirmed" }, [
      "Booked: " + localTime(booking.startsAt, people[practitioner.value].timezone) +
      " with " + booking.practitioner.name + ", " + money(booking.price) + ". Reference " +
      booking.reference + ". A confirmation is on its way by email."]));
  }

  [forSelf, forOther].forEach(function (radio) {
    radio.addEventListener("change", function () { attendee.hidden = !forOther.checked; });
  });
  practitioner.addEventListener("change", loadTimes);
  form.addEventListener("input", function () { attempt = null; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!chosen) { showErrors(["Choose a time first."]); return; }
    attempt = attempt || (Date.now().toString(36) + Math.random().toString(36).slice(2));
    showErrors([]);
    graphql(BOOK, { input: bookingInput() })
      .then(function (data) {
        var payload = data.bookAsGuest;
        if (payload.userErrors.length) {
          attempt = null;
          showErrors(payload.userErrors.map(function (e) {
            return (e.field ? e.field.slice(1).join(" ") + ": " : "") + e.message;
          }));
          return;
        }
        confirm(payload.booking);
      })
      .catch(function (error) { showErrors([error.message]); });
  });

  graphql(PRACTICE, { slug: SLUG })
    .then(function (data) {
      var practice = data.publicPractice;
      if (!practice) { showErrors(["This widget is not set up for this practice."]); return; }
      title.textContent = "Book a session with " + practice.name;
      practice.practitioners.forEach(function (p, index) {
        people[String(index)] = p;
        practitioner.appendChild(el("option", { value: String(index) },
          [p.name + " — " + money(p.sessionPrice)]));
      });
      if (practice.practitioners.length) { loadTimes(); }
    })
    .catch(function (error) { showErrors([error.message]); });
})();
