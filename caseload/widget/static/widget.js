/* Caseload reference booking widget: plain JavaScript, no build step, no dependencies.
 *
 * Embed with one snippet (see the README), themed with CSS custom properties on it:
 *   <script src="https://YOUR-CASELOAD/widget/widget.js" data-key="pk_live_..."
 *           data-practice="your-practice-slug" async
 *           style="--cw-accent: #1d5c8c; --cw-font: Georgia, serif; --cw-radius: 8px"></script>
 *
 * Steps: a practitioner and a month of days with free times; the day's times; who it is for,
 * the details and the card token; a confirmation with the short reference and an .ics file.
 * Times are shown in the practice's timezone unless the visitor switches to their own. Focus
 * moves to each step's heading; each error stands next to its field. It speaks only the
 * public surface a publishable key opens (publicPractice, publicAvailability, bookAsGuest),
 * and everything it shows is set with textContent.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var KEY = script.getAttribute("data-key") || "";
  var SLUG = script.getAttribute("data-practice") || "";
  var API = script.getAttribute("data-api") || new URL(script.src).origin + "/graphql";
  var MONTHS_AHEAD = 6;
  var HOUR = 3600 * 1000;
  var DAY = 24 * HOUR;
  // Theme: --cw-accent, --cw-accent-text, --cw-text, --cw-muted, --cw-background,
  // --cw-surface, --cw-border, --cw-error, --cw-font and --cw-radius, set on the snippet.

  var PRACTICE = "query Practice($slug: String!) { publicPractice(slug: $slug) { name timezone " +
    "practitioners { id name timezone sessionPrice { amount currency } } } }";
  var AVAILABILITY = "query Free($id: ID!, $from: DateTime!, $to: DateTime!) { " +
    "publicAvailability(practitionerId: $id, from: $from, to: $to) { startsAt endsAt } }";
  var BOOK = "mutation Book($input: BookAsGuestInput!) { bookAsGuest(input: $input) { " +
    "booking { reference bookingReference startsAt endsAt party price { amount currency } " +
    "calendarFile practitioner { name } } userErrors { field code message } } }";
  // userErrors' field paths (after "input") -> the input that shows the error
  var FIELDS = { "booker.firstName": "bookerFirstName", "booker.lastName": "bookerLastName",
    "booker.email": "bookerEmail", "booker.phone": "bookerPhone",
    "attendee.firstName": "attendeeFirstName", "attendee.lastName": "attendeeLastName",
    "attendee.email": "attendeeEmail", "attendee.phone": "attendeeEmail",
    "paymentToken": "paymentToken" };

  var uid = "cw" + Math.random().toString(36).slice(2, 8);
  function id(name) { return uid + "-" + name; }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined) { node.setAttribute(name, attrs[name]); }
    });
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
          throw new Error(body.errors[0].message + (wait ? " Try again in " + wait + " s." : ""));
        }
        return body.data;
      });
    });
  }

  function money(price) { return price.amount + " " + price.currency; }

  // ------------------------------------------------------------ dates in a timezone

  function civil(instant, timezone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", { timeZone: timezone, year: "numeric", month: "2-digit",
      day: "2-digit" }).formatToParts(instant).forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function dayKey(year, month, day) {
    return new Date(Date.UTC(year, month, day)).toISOString().slice(0, 10);
  }

  function dayLabel(key, withYear) {
    var at = new Date(key + "T12:00:00Z");
    return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", weekday: "long", day: "numeric",
      month: "long", year: withYear ? "numeric" : undefined }).format(at);
  }

  function clock(iso, timezone) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: timezone, hour: "2-digit",
      minute: "2-digit", hourCycle: "h23" }).format(new Date(iso));
  }

  function monthLabel(year, month) {
    return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "long", year: "numeric" })
      .format(new Date(Date.UTC(year, month, 1)));
  }

  // ------------------------------------------------------------ the page

  var root = el("section", { "class": "caseload-widget", "aria-labelledby": id("title") });
  for (var t = 0; t < script.style.length; t += 1) {  // the theme set on the snippet
    var property = script.style[t];
    if (property.indexOf("--cw-") === 0) {
      root.style.setProperty(property, script.style.getPropertyValue(property));
    }
  }
  script.parentNode.insertBefore(root, script.nextSibling);

  var style = el("style", {}, [
    ".caseload-widget{--_a:var(--cw-accent,#1d5c8c);--_at:var(--cw-accent-text,#fff);" +
    "--_t:var(--cw-text,#1f2933);--_m:var(--cw-muted,#52606d);--_bg:var(--cw-background,#fff);" +
    "--_s:var(--cw-surface,#f3f6f9);--_b:var(--cw-border,#9aa5b1);--_e:var(--cw-error,#a4001d);" +
    "--_r:var(--cw-radius,6px);font:16px/1.45 var(--cw-font,system-ui,sans-serif);color:var(--_t);" +
    "background:var(--_bg);accent-color:var(--_a);max-width:36rem;box-sizing:border-box;" +
    "padding:1rem}" +
    ".caseload-widget *{box-sizing:border-box}" +
    ".caseload-widget h2,.caseload-widget h3{margin:.2rem 0 .6rem;line-height:1.25}" +
    ".caseload-widget h2{font-size:1.3rem}.caseload-widget h3{font-size:1.1rem}" +
    ".caseload-widget [tabindex='-1']:focus{outline:none}" +
    ".caseload-widget :focus-visible{outline:3px solid var(--_a);outline-offset:2px}" +
    ".caseload-widget button{font:inherit;color:inherit;border-radius:var(--_r);cursor:pointer}" +
    ".caseload-widget .cw-primary{background:var(--_a);color:var(--_at);border:0;" +
    "padding:.6rem 1.1rem;font-weight:600}" +
    ".caseload-widget .cw-link{background:none;border:0;padding:.2rem;color:var(--_a);" +
    "text-decoration:underline}" +
    ".caseload-widget .cw-field{margin:.5rem 0}" +
    ".caseload-widget .cw-field label{display:block;font-weight:600}" +
    ".caseload-widget .cw-field input,.caseload-widget select{display:block;width:100%;" +
    "font:inherit;padding:.45rem;border:1px solid var(--_b);border-radius:var(--_r);" +
    "background:var(--_bg);color:var(--_t)}" +
    ".caseload-widget [aria-invalid=true]{border-color:var(--_e);border-width:2px}" +
    ".caseload-widget .cw-error{color:var(--_e);margin:.2rem 0;font-size:.95rem}" +
    ".caseload-widget .cw-error:empty{display:none}" +
    ".caseload-widget .cw-hint{color:var(--_m);font-size:.95rem;margin:.2rem 0}" +
    ".caseload-widget fieldset{border:1px solid var(--_b);border-radius:var(--_r);" +
    "margin:.7rem 0;padding:.5rem .8rem}" +
    ".caseload-widget legend{font-weight:600;padding:0 .3rem}" +
    ".caseload-widget .cw-choice{display:flex;align-items:center;gap:.5rem;margin:.3rem 0}" +
    ".caseload-widget .cw-choice input{width:1.2rem;height:1.2rem;margin:0;flex:none}" +
    ".caseload-widget .cw-monthbar{display:flex;align-items:center;justify-content:space-between;" +
    "gap:.5rem;margin:.6rem 0 .3rem}" +
    ".caseload-widget .cw-monthbar button{border:1px solid var(--_b);background:var(--_bg);" +
    "padding:.35rem .7rem;min-width:2.75rem;min-height:2.75rem}" +
    ".caseload-widget .cw-monthbar button:disabled{opacity:.45;cursor:default}" +
    ".caseload-widget table{width:100%;border-collapse:collapse;table-layout:fixed}" +
    ".caseload-widget th{font-size:.8rem;color:var(--_m);font-weight:600;padding:.2rem 0}" +
    ".caseload-widget td{padding:2px;text-align:center}" +
    ".caseload-widget td button{width:100%;min-height:2.6rem;border:1px solid var(--_b);" +
    "background:var(--_s);font-weight:600;padding:0}" +
    ".caseload-widget td button:disabled{background:transparent;border-color:transparent;" +
    "color:var(--_m);font-weight:400;cursor:default}" +
    ".caseload-widget button[aria-pressed=true]{background:var(--_a);color:var(--_at);" +
    "border-color:var(--_a)}" +
    ".caseload-widget .cw-times{display:flex;flex-wrap:wrap;gap:.4rem;margin:.4rem 0}" +
    ".caseload-widget .cw-times button{border:1px solid var(--_b);background:var(--_s);" +
    "padding:.5rem .8rem;min-width:4.5rem;min-height:2.75rem}" +
    ".caseload-widget .cw-summary{background:var(--_s);border-radius:var(--_r);padding:.6rem .8rem}" +
    ".caseload-widget dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .9rem;margin:.6rem 0}" +
    ".caseload-widget dt{color:var(--_m)}.caseload-widget dd{margin:0;font-weight:600}" +
    ".caseload-widget .cw-download{display:inline-block;margin-top:.4rem;color:var(--_at);" +
    "background:var(--_a);padding:.55rem 1rem;border-radius:var(--_r);text-decoration:none;" +
    "font-weight:600}" +
    ".cw-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);" +
    "white-space:nowrap}"
  ]);

  function heading(level, text, name) {
    return el("h" + level, { id: id(name), tabindex: "-1" }, [text]);
  }

  function inputField(label, name, type, options) {
    options = options || {};
    var error = el("p", { "class": "cw-error", id: id(name + "-error") });
    var hint = options.hint ? el("p", { "class": "cw-hint", id: id(name + "-hint") },
      [options.hint]) : null;
    var input = el("input", { id: id(name), name: name, type: type || "text",
      autocomplete: options.autocomplete || null, required: options.required ? "required" : null,
      "aria-required": options.required ? "true" : null,
      "aria-describedby": (hint ? id(name + "-hint") + " " : "") + id(name + "-error") });
    var children = [el("label", { "for": id(name) }, [label])];
    if (hint) { children.push(hint); }
    children.push(input, error);
    return el("div", { "class": "cw-field" }, children);
  }

  var title = heading(2, "Book a session", "title");
  var generalError = el("p", { "class": "cw-error cw-errors", role: "alert" });
  var status = el("p", { "class": "cw-sr", role: "status", "aria-live": "polite" });

  // step 1: practitioner, timezone and the month of days
  var practitioner = el("select", { id: id("practitioner"), name: "practitioner" });
  var zoneLegend = el("legend", {}, ["Show times in"]);
  var zonePractice = el("input", { type: "radio", name: "cw-zone", value: "practice",
    id: id("zone-practice"), checked: "checked" });
  var zoneVisitor = el("input", { type: "radio", name: "cw-zone", value: "visitor",
    id: id("zone-visitor") });
  var zonePracticeLabel = el("label", { "for": id("zone-practice") });
  var zoneVisitorLabel = el("label", { "for": id("zone-visitor") });
  var zones = el("fieldset", {}, [zoneLegend,
    el("div", { "class": "cw-choice" }, [zonePractice, zonePracticeLabel]),
    el("div", { "class": "cw-choice" }, [zoneVisitor, zoneVisitorLabel])]);
  var previous = el("button", { type: "button", "aria-label": "Previous month" }, ["‹"]);
  var next = el("button", { type: "button", "aria-label": "Next month" }, ["›"]);
  var monthHeading = el("h3", { id: id("month"), "aria-live": "polite" }, [""]);
  var grid = el("table", { "aria-labelledby": id("month"), "aria-describedby": id("days-hint") });
  var daysError = el("p", { "class": "cw-error", id: id("days-error") });
  var step1 = el("div", { "class": "cw-step-days" }, [
    el("div", { "class": "cw-field" }, [el("label", { "for": id("practitioner") }, ["Practitioner"]),
      practitioner]),
    zones,
    el("div", { "class": "cw-monthbar" }, [previous, monthHeading, next]),
    el("p", { "class": "cw-hint", id: id("days-hint") },
      ["Days with free times can be chosen; use the arrow keys to move between them."]),
    grid, daysError
  ]);

  // step 2: the day's times
  var timesHeading = heading(3, "", "times-title");
  var times = el("div", { "class": "cw-times", role: "group", "aria-labelledby": id("times-title") });
  var step2 = el("div", { "class": "cw-step-times", hidden: "hidden" }, [timesHeading, times]);

  // step 3: who, the details, the card
  var detailsHeading = heading(3, "Your details", "details-title");
  var chosenText = el("p", { id: id("chosen") });
  var changeTime = el("button", { type: "button", "class": "cw-link", name: "changeTime" },
    ["Change time"]);
  var timeError = el("p", { "class": "cw-error", id: id("time-error"), role: "alert" });
  var forSelf = el("input", { type: "radio", name: "for", value: "self", id: id("for-self"),
    checked: "checked" });
  var forOther = el("input", { type: "radio", name: "for", value: "other", id: id("for-other") });
  var attendee = el("fieldset", { "class": "cw-attendee", hidden: "hidden" }, [
    el("legend", {}, ["Who will attend"]),
    inputField("Their first name", "attendeeFirstName", "text", { required: true }),
    inputField("Their last name", "attendeeLastName", "text", { required: true }),
    inputField("Their email (optional)", "attendeeEmail", "email",
      { hint: "They get a copy of the confirmation." })
  ]);
  var bookButton = el("button", { type: "submit", name: "book", "class": "cw-primary" },
    ["Book session"]);
  var form = el("form", { novalidate: "novalidate", "aria-labelledby": id("details-title") }, [
    detailsHeading,
    el("div", { "class": "cw-summary" }, [chosenText, changeTime, timeError]),
    el("fieldset", {}, [el("legend", {}, ["Who is this session for?"]),
      el("div", { "class": "cw-choice" }, [forSelf, el("label", { "for": id("for-self") }, ["Me"])]),
      el("div", { "class": "cw-choice" }, [forOther, el("label", { "for": id("for-other") },
        ["Someone else"])])]),
    el("fieldset", {}, [el("legend", {}, ["You (you pay)"]),
      inputField("Your first name", "bookerFirstName", "text",
        { required: true, autocomplete: "given-name" }),
      inputField("Your last name", "bookerLastName", "text",
        { required: true, autocomplete: "family-name" }),
      inputField("Your email", "bookerEmail", "email", { required: true, autocomplete: "email" }),
      inputField("Your phone (optional)", "bookerPhone", "tel", { autocomplete: "tel" })]),
    attendee,
    inputField("Card token", "paymentToken", "text",
      { required: true, hint: "From the payment provider; in the sandbox, tok_visa." }),
    bookButton
  ]);
  var step3 = el("div", { "class": "cw-step-details", hidden: "hidden" }, [form]);

  // step 4: the confirmation
  var result = el("div", { "class": "cw-result", hidden: "hidden" });

  [style, title, status, step1, step2, step3, result, generalError].forEach(function (node) {
    root.appendChild(node);
  });

  // ------------------------------------------------------------ state

  var practice = null;
  var people = [];
  var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  var shown = null;  // {year, month} on screen
  var slotsByMonth = {};  // "practitionerIndex:year-month" -> [slots]
  var chosenDay = null;
  var chosen = null;  // the chosen slot
  var attempt = null;  // one idempotency key per booking attempt: a retry books once

  function zone() { return zoneVisitor.checked ? visitorZone : practice.timezone; }
  function who() { return people[Number(practitioner.value)]; }

  function say(text) { status.textContent = text; }

  function showGeneral(message) { generalError.textContent = message || ""; }

  // ------------------------------------------------------------ step 1: the month

  function monthOf(instant) {
    var key = civil(instant, zone());
    return { year: Number(key.slice(0, 4)), month: Number(key.slice(5, 7)) - 1 };
  }

  function shift(month, by) {
    var at = new Date(Date.UTC(month.year, month.month + by, 1));
    return { year: at.getUTCFullYear(), month: at.getUTCMonth() };
  }

  function sameMonth(a, b) { return a.year === b.year && a.month === b.month; }

  function fetchMonth(month) {
    var cacheKey = practitioner.value + ":" + month.year + "-" + month.month;
    if (slotsByMonth[cacheKey]) { return Promise.resolve(slotsByMonth[cacheKey]); }
    // every instant that is a day of this month somewhere: the month in UTC, widened by 14
    // hours each side, in two requests (a request spans at most 31 days)
    var start = Math.max(Date.UTC(month.year, month.month, 1) - 14 * HOUR, Date.now());
    var end = Date.UTC(month.year, month.month + 1, 1) + 14 * HOUR;
    if (end <= start) { return Promise.resolve([]); }
    var middle = start + Math.ceil((end - start) / 2);
    var ranges = [[start, middle], [middle, end]];
    return Promise.all(ranges.map(function (r) {
      return graphql(AVAILABILITY, { id: who().id, from: new Date(r[0]).toISOString(),
        to: new Date(r[1]).toISOString() });
    })).then(function (answers) {
      var slots = answers[0].publicAvailability.concat(answers[1].publicAvailability);
      slotsByMonth[cacheKey] = slots;
      return slots;
    });
  }

  function byDay(slots) {
    var days = {};
    slots.forEach(function (slot) {
      var key = civil(new Date(slot.startsAt), zone());
      (days[key] = days[key] || []).push(slot);
    });
    return days;
  }

  function renderMonth(month, slots, focusDay) {
    shown = month;
    var days = byDay(slots);
    var today = monthOf(new Date());
    monthHeading.textContent = monthLabel(month.year, month.month);
    previous.disabled = sameMonth(month, today);
    next.disabled = sameMonth(month, shift(today, MONTHS_AHEAD));
    grid.textContent = "";
    var names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    grid.appendChild(el("thead", {}, [el("tr", {}, names.map(function (n) {
      return el("th", { scope: "col", abbr: n }, [n.slice(0, 2)]);
    }))]));
    var body = el("tbody");
    var first = (new Date(Date.UTC(month.year, month.month, 1)).getUTCDay() + 6) % 7;
    var count = new Date(Date.UTC(month.year, month.month + 1, 0)).getUTCDate();
    var row = el("tr");
    for (var blank = 0; blank < first; blank += 1) { row.appendChild(el("td")); }
    var buttons = [];
    for (var day = 1; day <= count; day += 1) {
      var key = dayKey(month.year, month.month, day);
      var free = (days[key] || []).length;
      var button = el("button", { type: "button", "data-day": key, tabindex: "-1",
        "aria-pressed": key === chosenDay ? "true" : "false",
        "aria-label": dayLabel(key, false) + ", " + (free ? free + " free time" +
          (free === 1 ? "" : "s") : "no free times"),
        disabled: free ? null : "disabled" }, [String(day)]);
      if (free) { buttons.push(button); }
      button.addEventListener("click", chooseDay.bind(null, key, days[key] || [], true));
      button.addEventListener("keydown", moveInGrid);
      row.appendChild(el("td", {}, [button]));
      if ((first + day) % 7 === 0 || day === count) { body.appendChild(row); row = el("tr"); }
    }
    grid.appendChild(body);
    daysError.textContent = buttons.length ? "" : "No free times in " +
      monthLabel(month.year, month.month) + ". Try the next month.";
    var current = grid.querySelector("button[aria-pressed=true]:not([disabled])") || buttons[0];
    if (current) { current.setAttribute("tabindex", "0"); }
    if (focusDay && current) { current.focus(); }
    return days;
  }

  function moveInGrid(event) {
    // arrow keys move between days with free times (a week up or down); Home and End go to
    // the first and last of them
    var all = Array.prototype.slice.call(grid.querySelectorAll("button"));
    var open = all.filter(function (b) { return !b.disabled; });
    var index = all.indexOf(event.target);
    var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    var target = null;
    if (event.key === "Home") { target = open[0]; }
    else if (event.key === "End") { target = open[open.length - 1]; }
    else if (steps[event.key]) {
      var step = steps[event.key];
      for (var at = index + step; at >= 0 && at < all.length; at += step > 0 ? 1 : -1) {
        if (!all[at].disabled && (Math.abs(step) === 1 || Math.abs(at - index) >= 7)) {
          target = all[at];
          break;
        }
      }
    } else { return; }
    event.preventDefault();
    if (!target) { return; }
    all.forEach(function (b) { b.setAttribute("tabindex", "-1"); });
    target.setAttribute("tabindex", "0");
    target.focus();
  }

  function showMonth(month, options) {
    options = options || {};
    say("Loading free times…");
    daysError.textContent = "";
    return fetchMonth(month).then(function (slots) {
      var days = renderMonth(month, slots, options.focusDay);
      say(monthLabel(month.year, month.month) + ": " + Object.keys(days).length +
        " days with free times.");
      var keys = Object.keys(days).sort();
      if (options.pickFirst && keys.length) { chooseDay(keys[0], days[keys[0]], false); }
      if (options.pickFirst && !keys.length && options.tries > 0) {
        return showMonth(shift(month, 1), { pickFirst: true, tries: options.tries - 1 });
      }
      return days;
    }).catch(function (error) { say(""); daysError.textContent = error.message; });
  }

  // ------------------------------------------------------------ step 2: the day's times

  function chooseDay(key, slots, moveFocus) {
    chosenDay = key;
    Array.prototype.forEach.call(grid.querySelectorAll("button"), function (b) {
      var mine = b.getAttribute("data-day") === key;
      b.setAttribute("aria-pressed", mine ? "true" : "false");
      if (!b.disabled) { b.setAttribute("tabindex", mine ? "0" : "-1"); }
    });
    timesHeading.textContent = "Free times on " + dayLabel(key, false) + " (" + zone() + ")";
    times.textContent = "";
    slots.forEach(function (slot) {
      var label = clock(slot.startsAt, zone());
      var button = el("button", { type: "button", "data-starts-at": slot.startsAt,
        "aria-pressed": chosen && chosen.startsAt === slot.startsAt ? "true" : "false",
        "aria-label": label + " to " + clock(slot.endsAt, zone()) }, [label]);
      button.addEventListener("click", function () { chooseTime(slot); });
      times.appendChild(button);
    });
    step2.hidden = false;
    if (moveFocus) { timesHeading.focus(); }
  }

  // ------------------------------------------------------------ step 3: the details

  function describeChosen() {
    return dayLabel(civil(new Date(chosen.startsAt), zone()), true) + ", " +
      clock(chosen.startsAt, zone()) + "–" + clock(chosen.endsAt, zone()) + " (" + zone() +
      ") with " + who().name + ", " + money(who().sessionPrice);
  }

  function chooseTime(slot) {
    chosen = slot;
    Array.prototype.forEach.call(times.querySelectorAll("button"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-starts-at") === slot.startsAt ?
        "true" : "false");
    });
    chosenText.textContent = describeChosen();
    timeError.textContent = "";
    step1.hidden = true;
    step2.hidden = true;
    step3.hidden = false;
    detailsHeading.focus();
  }

  function backToTimes() {
    step3.hidden = true;
    step1.hidden = false;
    step2.hidden = false;
    timesHeading.focus();
    if (!slotsByMonth[practitioner.value + ":" + shown.year + "-" + shown.month]) {
      // what is free has changed since (a refused booking): read the month again
      var day = chosenDay;
      fetchMonth(shown).then(function (slots) {
        var days = renderMonth(shown, slots, false);
        if (day && days[day]) { chooseDay(day, days[day], false); return; }
        step2.hidden = true;  // that day is full now: back to the month
        var open = grid.querySelector("button[tabindex='0']");
        if (open) { open.focus(); }
      }).catch(function (error) { daysError.textContent = error.message; });
    }
  }

  function value(name) { return form.elements[name].value.trim(); }

  function setError(name, message) {
    var input = form.elements[name];
    var error = root.querySelector("#" + id(name + "-error"));
    if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    error.textContent = message || "";
  }

  function clearErrors() {
    Object.keys(FIELDS).forEach(function (path) { setError(FIELDS[path], ""); });
    timeError.textContent = "";
    showGeneral("");
  }

  function missing() {
    var required = ["bookerFirstName", "bookerLastName", "bookerEmail", "paymentToken"];
    if (forOther.checked) { required.splice(3, 0, "attendeeFirstName", "attendeeLastName"); }
    var empty = required.filter(function (name) { return !value(name); });
    empty.forEach(function (name) {
      var label = root.querySelector("label[for=" + id(name) + "]").textContent;
      setError(name, label.replace(/ \(optional\)$/, "") + " is required.");
    });
    return empty;
  }

  function bookingInput() {
    var input = {
      practitionerId: who().id, startsAt: chosen.startsAt,
      booker: { firstName: value("bookerFirstName"), lastName: value("bookerLastName"),
        email: value("bookerEmail"), phone: value("bookerPhone") || null },
      paymentToken: value("paymentToken"), idempotencyKey: attempt
    };
    if (forOther.checked) {
      input.attendee = { firstName: value("attendeeFirstName"),
        lastName: value("attendeeLastName"), email: value("attendeeEmail") || null };
    }
    return input;
  }

  function showUserErrors(userErrors) {
    var focusOn = null;
    var general = [];
    userErrors.forEach(function (e) {
      var path = (e.field || []).slice(1).join(".");
      var name = FIELDS[path];
      if (name) {
        setError(name, e.message);
        focusOn = focusOn || form.elements[name];
      } else if (path === "startsAt" || path === "practitionerId" || path === "durationMinutes") {
        timeError.textContent = e.message + " Choose another time.";
        slotsByMonth = {};  // what is free has changed
        focusOn = focusOn || changeTime;
      } else {
        general.push(e.message);
      }
    });
    showGeneral(general.join(" "));
    if (focusOn) { focusOn.focus(); } else { bookButton.focus(); }
  }

  // ------------------------------------------------------------ step 4: the confirmation

  function confirm(booking) {
    step1.hidden = true;
    step2.hidden = true;
    step3.hidden = true;
    result.textContent = "";
    var timezone = zone();
    var when = new Date(booking.startsAt);
    var file = new Blob([booking.calendarFile], { type: "text/calendar" });
    var confirmed = heading(3, "Booked", "done");
    var rows = [
      ["Date", dayLabel(civil(when, timezone), true)],
      ["Time", clock(booking.startsAt, timezone) + "–" + clock(booking.endsAt, timezone) +
        " (" + timezone + ")"],
      ["Practitioner", booking.practitioner.name],
      ["Price", money(booking.price)],
      ["Reference", booking.bookingReference]
    ];
    var list = el("dl", {});
    rows.forEach(function (r) {
      list.appendChild(el("dt", {}, [r[0]]));
      list.appendChild(el("dd", { "data-item": r[0].toLowerCase() }, [r[1]]));
    });
    result.appendChild(el("div", { "class": "cw-confirmed" }, [confirmed, list,
      el("p", {}, ["A confirmation is on its way by email. Quote the reference if you " +
        "contact " + practice.name + "."]),
      el("a", { "class": "cw-download", href: URL.createObjectURL(file),
        download: "session-" + booking.bookingReference + ".ics" }, ["Add to calendar"])]));
    result.hidden = false;
    confirmed.focus();
  }

  // ------------------------------------------------------------ wiring

  function onZoneChange() {
    if (!practice || !shown) { return; }
    var keepDay = chosenDay;
    chosenDay = null;
    step2.hidden = true;
    fetchMonth(shown).then(function (slots) {
      var days = renderMonth(shown, slots, false);
      var key = keepDay && days[keepDay] ? keepDay : Object.keys(days).sort()[0];
      if (key) { chooseDay(key, days[key], false); }
      say("Times are now shown in " + zone() + ".");
    });
  }

  zonePractice.addEventListener("change", onZoneChange);
  zoneVisitor.addEventListener("change", onZoneChange);
  previous.addEventListener("click", function () {
    chosenDay = null; step2.hidden = true; showMonth(shift(shown, -1), { focusDay: false });
  });
  next.addEventListener("click", function () {
    chosenDay = null; step2.hidden = true; showMonth(shift(shown, 1), { focusDay: false });
  });
  practitioner.addEventListener("change", function () {
    chosen = null; chosenDay = null; step2.hidden = true;
    showMonth(shown || monthOf(new Date()), { pickFirst: true, tries: 1 });
  });
  [forSelf, forOther].forEach(function (radio) {
    radio.addEventListener("change", function () { attendee.hidden = !forOther.checked; });
  });
  changeTime.addEventListener("click", backToTimes);
  form.addEventListener("input", function (event) {
    attempt = null;
    if (event.target.name && root.querySelector("#" + id(event.target.name + "-error"))) {
      setError(event.target.name, "");
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    var empty = missing();
    if (empty.length) { form.elements[empty[0]].focus(); return; }
    attempt = attempt || (Date.now().toString(36) + Math.random().toString(36).slice(2));
    bookButton.disabled = true;
    say("Booking…");
    graphql(BOOK, { input: bookingInput() })
      .then(function (data) {
        bookButton.disabled = false;
        var payload = data.bookAsGuest;
        if (payload.userErrors.length) {
          attempt = null;
          say("");
          showUserErrors(payload.userErrors);
          return;
        }
        say("");
        confirm(payload.booking);
      })
      .catch(function (error) {
        bookButton.disabled = false;
        say("");
        showGeneral(error.message);
        bookButton.focus();
      });
  });

  graphql(PRACTICE, { slug: SLUG })
    .then(function (data) {
      practice = data.publicPractice;
      if (!practice) { showGeneral("This widget is not set up for this practice."); return; }
      title.textContent = "Book a session with " + practice.name;
      zonePracticeLabel.textContent = "Practice time (" + practice.timezone + ")";
      zoneVisitorLabel.textContent = "My time (" + visitorZone + ")";
      people = practice.practitioners;
      people.forEach(function (p, index) {
        practitioner.appendChild(el("option", { value: String(index) },
          [p.name + " — " + money(p.sessionPrice)]));
      });
      if (people.length) { showMonth(monthOf(new Date()), { pickFirst: true, tries: 1 }); }
    })
    .catch(function (error) { showGeneral(error.message); });
})();
