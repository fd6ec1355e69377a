/* complaint-coach web chat: no framework, no requests off this server.
 * Every piece of text from the server or the learner goes into the page as a text
 * node (textContent / createTextNode), never as HTML. */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var TOOL_TITLES = ["check history", "hint", "end", "restart", "help"];
  var MIN_TYPING_MS = 450;

  function $(id) { return document.getElementById(id); }

  var ui = {
    log: $("log"), typing: $("typing"), typingText: $("typing-text"), picker: $("picker"),
    scenarioOptions: $("scenario-options"), persona: $("persona"), difficulty: $("difficulty"),
    startButton: $("start-button"), composer: $("composer"), input: $("composer-input"),
    sendButton: $("send-button"), composerLabel: document.querySelector(".composer-label"),
    tools: $("tools"), notesButton: $("notes-button"), suggestions: $("suggestions"), notice: $("notice"),
    mood: $("mood"), moodMeter: $("mood-meter"), moodFill: $("mood-fill"), moodText: $("mood-text"),
    scenarioLine: $("scenario-line")
  };

  var params = new URLSearchParams(window.location.search);
  var app = { csrf: null, phase: "menu", menu: null, labels: {}, busy: false, pickerKey: null, mood: null };

  if (params.get("embed") === "1") { document.documentElement.classList.add("embedded"); }

  // -- small DOM helpers --------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") { node.textContent = attrs[key]; }
        else if (key === "class") { node.className = attrs[key]; }
        else { node.setAttribute(key, attrs[key]); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  /* Text with `code` spans; everything stays text. */
  function richText(parent, text) {
    String(text).split("`").forEach(function (part, index) {
      if (!part) { return; }
      parent.appendChild(index % 2 ? el("code", { text: part }) : document.createTextNode(part));
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function moodWord(mood) {
    if (mood <= 2) { return "calm"; }
    if (mood <= 4) { return "uneasy"; }
    if (mood <= 6) { return "annoyed"; }
    if (mood <= 8) { return "angry"; }
    return "furious";
  }

  function moodColour(mood) { return mood <= 3 ? "#15803d" : (mood <= 6 ? "#b45309" : "#b91c1c"); }
  function scoreColour(score) { return score >= 70 ? "#15803d" : (score >= 40 ? "#b45309" : "#b91c1c"); }

  function scenarioTitle(id) {
    var found = ((app.menu && app.menu.menu && app.menu.menu.scenarios) || []).filter(function (s) { return s.id === id; });
    return found.length ? found[0].title : String(id || "");
  }

  function capital(text) { text = String(text || ""); return text.charAt(0).toUpperCase() + text.slice(1); }

  // -- server ---------------------------------------------------------------------------
  function ApiError(message, status, code) { this.message = message; this.status = status; this.code = code; }

  function api(path, body) {
    var options = { method: body === undefined ? "GET" : "POST", credentials: "same-origin", cache: "no-store",
                    headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-Coach-CSRF"] = app.csrf || "";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (!response.ok) {
          throw new ApiError((data && data.error) || ("The coach answered with an error (HTTP " + response.status + ")."),
                             response.status, data && data.code);
        }
        return data;
      });
    }, function () {
      throw new ApiError("Could not reach the coach. Check your connection and try again.", 0, "network");
    });
  }

  // -- notices -------------------------------------------------------------------------
  function showNotice(message, actionLabel, action) {
    ui.notice.replaceChildren(document.createTextNode(message));
    if (actionLabel) {
      var button = el("button", { type: "button", text: actionLabel });
      button.addEventListener("click", action);
      ui.notice.appendChild(button);
    }
    ui.notice.hidden = false;
  }

  function hideNotice() { ui.notice.hidden = true; ui.notice.replaceChildren(); }

  function sessionProblem(error) {
    if (error.code === "bad_session" || error.code === "no_session") {
      showNotice(error.message, "Start a new conversation", newSession);
    } else if (error.code === "bad_csrf") {
      showNotice(error.message, "Reload", function () { window.location.reload(); });
    } else {
      showNotice(error.message);
    }
  }

  // -- the conversation ---------------------------------------------------------------------
  function load() {
    return api("api/conversation").then(applyConversation, function (error) {
      if (error.code === "bad_session") { sessionProblem(error); }
      else { showNotice(error.message, "Try again", function () { hideNotice(); load(); }); }
    });
  }

  function newSession() {
    return api("api/session", {}).then(function (data) { hideNotice(); applyConversation(data); }, sessionProblem);
  }

  function applyConversation(data) {
    app.csrf = data.csrf;
    app.menu = data.menu;
    app.labels = data.labels || {};
    ui.log.replaceChildren();
    clearSuggestions();
    // the welcome is the page's own (not stored): shown first, live and after a reload alike
    renderBot({ text: data.menu.text, custom: { menu: data.menu.menu, coach: { speaker: "coach" } } });
    data.transcript.forEach(renderEntry);
    applyState(data.state || { phase: "menu" });
    scrollToEnd();
  }

  function renderEntry(entry) {
    if (entry.type === "learner") { renderLearner(entry.text); }
    else if (entry.type === "start") { renderStart(entry.start); }
    else { renderBot(entry); }
  }

  function addToLog(node) { ui.log.appendChild(node); return node; }

  function renderLearner(text) {
    clearSuggestions();
    return addToLog(el("li", { class: "msg learner" }, el("span", { class: "who", text: "You" }), text));
  }

  function renderStart(start) {
    clearSuggestions();
    var parts = [start.scenario === "random" ? "a random scenario" : scenarioTitle(start.scenario)];
    parts.push(start.persona ? (start.persona === "random" ? "random customer" : start.persona + " customer")
                             : "usual customer");
    parts.push(start.difficulty || "standard");
    parts.push((start.mode || "practice") + " mode");
    addToLog(el("li", { class: "msg system", text: "You started: " + parts.join(" · ") }));
  }

  function renderBot(message) {
    var custom = message.custom || {};
    var coach = custom.coach || {};
    if (custom.scorecard) { return renderScorecard(custom.scorecard); }
    var text = String(message.text || "");
    var speaker = coach.speaker || (text.indexOf("Coach: ") === 0 ? "coach" : "customer");
    if (speaker === "coach") { text = text.replace(/^Coach:\s*/, ""); }
    if (custom.menu) {
      text = text.split("\n")[0];
      buildPicker(custom.menu);
    }
    var item = el("li", { class: "msg " + (speaker === "customer" ? "customer" : "coach") },
                  el("span", { class: "who", text: speaker === "customer" ? "Customer" : "Coach" }));
    richText(item, text);
    if (speaker === "customer" && typeof coach.mood === "number") {
      setMood(coach.mood);
      var why = (coach.why || []).filter(Boolean);
      if (coach.turn && why.length) {
        item.appendChild(el("span", { class: "why", text: "Mood " + coach.mood + "/10: " + why.join("; ") }));
      }
    }
    addToLog(item);
    clearSuggestions();
    var result = item;
    if (!custom.menu && !custom.setup && message.buttons && message.buttons.length) {
      setSuggestions(message.buttons.filter(function (b) {
        return TOOL_TITLES.indexOf(String(b.title).toLowerCase()) < 0;
      }));
    }
    return result;
  }

  function clearSuggestions() { ui.suggestions.replaceChildren(); ui.suggestions.hidden = true; }

  function setSuggestions(buttons) {
    buttons.forEach(function (b) {
      var button = el("button", { type: "button", class: "primary", text: b.title });
      button.addEventListener("click", function () { send(String(b.payload)); });
      ui.suggestions.appendChild(button);
    });
    ui.suggestions.hidden = !buttons.length;
  }

  function setMood(mood) {
    app.mood = mood;
    ui.mood.hidden = false;
    ui.moodFill.style.width = (Math.max(0, Math.min(10, mood)) * 10) + "%";
    ui.moodFill.style.backgroundColor = moodColour(mood);
    ui.moodMeter.setAttribute("aria-valuenow", String(mood));
    ui.moodMeter.setAttribute("aria-valuetext", mood + " of 10, " + moodWord(mood));
    ui.moodText.textContent = mood + "/10 " + moodWord(mood);
  }

  var COMPOSER_LABELS = {
    menu: "Or type your choice (for example: 4 angry hard)",
    playing: "Your reply to the customer",
    wrap_up: "Your case notes (notes: …) or end",
    reflection: "Your answer to the coach",
    done: "Type restart to practise again"
  };

  function applyState(state) {
    app.phase = state.phase || "menu";
    var inMenu = app.phase === "menu";
    ui.picker.hidden = !inMenu;
    ui.tools.hidden = inMenu;
    ui.composerLabel.textContent = COMPOSER_LABELS[app.phase] || COMPOSER_LABELS.playing;
    ui.input.placeholder = inMenu ? "Or type a choice…" : "Type your reply…";
    if (inMenu) {
      ui.mood.hidden = true;
      ui.scenarioLine.textContent = "Choose a scenario to practise.";
    } else {
      if (typeof state.mood === "number") { setMood(state.mood); }
      var parts = [scenarioTitle(state.scenario)];
      if (state.persona) { parts.push(state.persona + " customer"); }
      if (state.difficulty) { parts.push(state.difficulty); }
      if (state.mode) { parts.push(state.mode + " mode"); }
      ui.scenarioLine.textContent = parts.filter(Boolean).join(" · ");
    }
  }

  function setBusy(busy, who) {
    app.busy = busy;
    ui.typing.hidden = !busy;
    ui.typingText.textContent = who === "customer" ? "The customer is typing…" : "The coach is replying…";
    ui.sendButton.disabled = busy;
    ui.startButton.disabled = busy;
    Array.prototype.forEach.call(ui.tools.querySelectorAll("button[data-send]"), function (b) { b.disabled = busy; });
    Array.prototype.forEach.call(ui.suggestions.querySelectorAll("button"), function (b) { b.disabled = busy; });
    if (busy) { scrollToEnd(); }
  }

  function scrollToEnd() {
    window.requestAnimationFrame(function () { window.scrollTo(0, document.documentElement.scrollHeight); });
  }

  function renderReplies(data) {
    var card = null;
    (data.messages || []).forEach(function (message) {
      var node = renderBot(message);
      if (message.custom && message.custom.scorecard) { card = node; }
    });
    var pickerWasHidden = ui.picker.hidden;
    applyState(data.state || {});
    if (card) {
      window.requestAnimationFrame(function () { card.scrollIntoView({ block: "start" }); });
    } else {
      scrollToEnd();
    }
    if (pickerWasHidden && !ui.picker.hidden) {
      var checked = ui.picker.querySelector("input[name=scenario]:checked");
      if (checked) { checked.focus(); }
    }
  }

  function isCommand(text) {
    return /^\s*(check|show|view|see|review)\s.*history|^\s*(hint|tip|end|finish|done|score|scorecard|restart|menu|help|\?)\b|^\s*notes?\s*[:\-]/i.test(text);
  }

  function send(text) {
    text = String(text || "").trim();
    if (!text || app.busy) { return Promise.resolve(); }
    hideNotice();
    var bubble = renderLearner(text);
    setBusy(true, app.phase === "playing" && !isCommand(text) ? "customer" : "coach");
    return Promise.all([api("api/message", { text: text }), sleep(MIN_TYPING_MS)]).then(function (results) {
      setBusy(false);
      renderReplies(results[0]);
    }, function (error) {
      setBusy(false);
      bubble.appendChild(el("span", { class: "why", text: "Not sent." }));
      if (!ui.input.value) { ui.input.value = text; }
      sessionProblem(error);
    });
  }

  function start(choice) {
    if (app.busy) { return Promise.resolve(); }
    hideNotice();
    setBusy(true, "coach");
    return Promise.all([api("api/start", choice), sleep(MIN_TYPING_MS)]).then(function (results) {
      setBusy(false);
      renderStart(choice);
      renderReplies(results[0]);
      ui.input.focus();
    }, function (error) {
      setBusy(false);
      sessionProblem(error);
    });
  }

  // -- the picker (from the coach's menu payload) ---------------------------------------------
  function option(select, value, label, selected) {
    var node = el("option", { value: value, text: label });
    if (selected) { node.selected = true; }
    select.appendChild(node);
  }

  function buildPicker(menu) {
    var key = JSON.stringify(menu);
    if (app.pickerKey === key) { return; }
    app.pickerKey = key;
    var wanted = params.get("scenario");
    var ids = menu.scenarios.map(function (s) { return s.id; });
    var chosen = ids.indexOf(wanted) >= 0 || wanted === "random" ? wanted : ids[0];
    ui.scenarioOptions.replaceChildren();
    menu.scenarios.concat([{ id: "random", title: "Random scenario", description: "Let the coach pick one for you." }])
      .forEach(function (scenario) {
        var input = el("input", { type: "radio", name: "scenario", value: scenario.id, id: "scenario-" + scenario.id });
        if (scenario.id === chosen) { input.checked = true; }
        ui.scenarioOptions.appendChild(el("label", { class: "option", for: "scenario-" + scenario.id }, input,
          el("span", {}, el("span", { class: "title", text: scenario.title }),
                         el("span", { class: "desc", text: scenario.description || "" }))));
      });
    var persona = params.get("persona") || "";
    ui.persona.replaceChildren();
    option(ui.persona, "", "The scenario's usual customer", !persona);
    menu.personas.forEach(function (p) { option(ui.persona, p, capital(p), p === persona); });
    option(ui.persona, "random", "Random", persona === "random");
    var difficulty = params.get("difficulty") || "standard";
    ui.difficulty.replaceChildren();
    menu.difficulties.forEach(function (d) { option(ui.difficulty, d, capital(d), d === difficulty); });
    option(ui.difficulty, "random", "Random", difficulty === "random");
    var mode = params.get("mode") === "assessment" ? "assessment" : "practice";
    Array.prototype.forEach.call(ui.picker.querySelectorAll("input[name=mode]"), function (input) {
      input.checked = input.value === mode;
    });
  }

  // -- the scorecard ------------------------------------------------------------------------
  var uid = 0;
  function nextId(prefix) { uid += 1; return prefix + "-" + uid; }

  /* Charts are drawn at the width they are shown (one SVG unit = one CSS pixel), so their text
   * stays readable on a phone; they are redrawn when that width changes. */
  function modelChart(card, width) {
    var models = Object.keys(card.models || {});
    var rowHeight = 34, left = 64, top = 8;
    var barMax = Math.max(80, width - left - 48);
    var height = top + models.length * rowHeight + 28;
    var titleId = nextId("models-title"), descId = nextId("models-desc");
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img",
                             "aria-labelledby": titleId + " " + descId });
    chart.appendChild(svg("title", { id: titleId }, "Score for each complaint-handling model, out of 100"));
    chart.appendChild(svg("desc", { id: descId }, models.map(function (m) {
      return m + " " + card.models[m].score;
    }).join(", ")));
    [0, 50, 100].forEach(function (tick) {
      var x = left + barMax * tick / 100;
      chart.appendChild(svg("line", { x1: x, x2: x, y1: top - 4, y2: height - 24, class: tick ? "grid" : "axis" }));
      chart.appendChild(svg("text", { x: x, y: height - 8, "text-anchor": "middle", "font-size": 13, class: "muted" },
                            String(tick)));
    });
    models.forEach(function (model, index) {
      var score = Math.max(0, Math.min(100, Number(card.models[model].score) || 0));
      var y = top + index * rowHeight;
      var group = svg("g", {});
      var name = (app.labels[model] && app.labels[model].name) || model;
      group.appendChild(svg("title", {}, name + ": " + score + " out of 100"));
      group.appendChild(svg("text", { x: left - 10, y: y + 21, "text-anchor": "end", "font-size": 15, "font-weight": 700 },
                            model));
      group.appendChild(svg("rect", { x: left, y: y + 5, width: Math.max(2, barMax * score / 100), height: 22, rx: 3,
                                      fill: scoreColour(score) }));
      var inside = score >= 88;
      group.appendChild(svg("text", { x: left + barMax * score / 100 + (inside ? -6 : 6), y: y + 21,
                                      "text-anchor": inside ? "end" : "start", "font-size": 14, "font-weight": 700,
                                      class: inside ? "on-bar" : "" }, String(score)));
      chart.appendChild(group);
    });
    return chart;
  }

  function moodChart(moods, width) {
    var height = width < 480 ? 200 : 240, left = 82, right = 16, top = 14, bottom = 40;
    var plotW = width - left - right, plotH = height - top - bottom;
    var titleId = nextId("mood-title"), descId = nextId("mood-desc");
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img",
                             "aria-labelledby": titleId + " " + descId });
    chart.appendChild(svg("title", { id: titleId }, "The customer's mood after each of your turns (0 calm, 10 furious)"));
    chart.appendChild(svg("desc", { id: descId }, moods.map(function (m, i) {
      return (i ? "turn " + i : "start") + ": " + m;
    }).join(", ")));
    function x(i) { return left + (moods.length > 1 ? plotW * i / (moods.length - 1) : plotW / 2); }
    function y(m) { return top + plotH * (1 - Math.max(0, Math.min(10, m)) / 10); }
    [[0, "0 calm"], [5, "5"], [10, "10 furious"]].forEach(function (tick) {
      chart.appendChild(svg("line", { x1: left, x2: width - right, y1: y(tick[0]), y2: y(tick[0]),
                                      class: tick[0] ? "grid" : "axis" }));
      chart.appendChild(svg("text", { x: left - 8, y: y(tick[0]) + 5, "text-anchor": "end", "font-size": 13,
                                      class: "muted" }, tick[1]));
    });
    var every = Math.max(1, Math.ceil(moods.length / Math.max(2, Math.floor(plotW / 34))));
    moods.forEach(function (m, i) {
      if (i % every && i !== moods.length - 1) { return; }
      chart.appendChild(svg("text", { x: x(i), y: height - 18, "text-anchor": "middle", "font-size": 13, class: "muted" },
                            i ? String(i) : "start"));
    });
    chart.appendChild(svg("text", { x: left + plotW / 2, y: height - 2, "text-anchor": "middle", "font-size": 13,
                                    class: "muted" }, "Your turn"));
    chart.appendChild(svg("polyline", { points: moods.map(function (m, i) { return x(i) + "," + y(m); }).join(" "),
                                        fill: "none", stroke: "#1d4ed8", "stroke-width": 3,
                                        "stroke-linejoin": "round" }));
    moods.forEach(function (m, i) {
      var dot = svg("circle", { cx: x(i), cy: y(m), r: 6, fill: moodColour(m), stroke: "#ffffff", "stroke-width": 2 });
      dot.appendChild(svg("title", {}, (i ? "After turn " + i : "At the start") + ": mood " + m + " (" + moodWord(m) + ")"));
      chart.appendChild(dot);
    });
    return chart;
  }

  function quote(text) { return el("blockquote", { text: "“" + text + "”" }); }

  function turnsText(turns) {
    if (!turns || !turns.length) { return ""; }
    return turns.length === 1 ? " (turn " + turns[0] + ")" : " (turns " + turns.join(", ") + ")";
  }

  function stepsDetails(card) {
    var details = el("details", { class: "steps" }, el("summary", { text: "Step-by-step evidence for each model" }));
    Object.keys(card.models || {}).forEach(function (model) {
      var label = app.labels[model] || { name: model, steps: {} };
      details.appendChild(el("h4", { text: model + ": " + label.name + " (" + card.models[model].score + "/100)" }));
      var body = el("tbody");
      (card.models[model].steps || []).forEach(function (step) {
        var evidence = el("td");
        (step.evidence || []).forEach(function (e) {
          evidence.appendChild(el("div", {}, "Turn " + e.turn + ": ", quote(e.quote)));
        });
        if (!step.met && step.advice) { evidence.appendChild(el("div", { text: step.advice })); }
        body.appendChild(el("tr", {},
          el("th", { scope: "row", text: (label.steps && label.steps[step.id]) || step.id }),
          el("td", { class: step.met ? "met" : "unmet", text: step.met ? "Met" : "Not met" }), evidence));
      });
      details.appendChild(el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Step" }),
        el("th", { scope: "col", text: "Result" }), el("th", { scope: "col", text: "Evidence or advice" }))), body));
    });
    return details;
  }

  var chartBoxes = [];

  function chartBox(draw) {
    var box = el("div", { class: "chart-box" });
    chartBoxes.push({ box: box, draw: draw, width: 0 });
    return box;
  }

  function drawCharts() {
    chartBoxes = chartBoxes.filter(function (entry) { return entry.box.isConnected; });
    chartBoxes.forEach(function (entry) {
      var width = Math.round(entry.box.clientWidth);
      if (!width || width === entry.width) { return; }
      entry.width = width;
      entry.box.replaceChildren(entry.draw(Math.max(260, width)));
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(drawCharts, 100);
  });

  function renderScorecard(card) {
    clearSuggestions();
    var headingId = nextId("scorecard");
    var article = el("li", { class: "scorecard", "aria-labelledby": headingId });
    article.appendChild(el("h2", { id: headingId, text: "Your scorecard: " + scenarioTitle(card.scenario) }));
    var summary = el("p", { class: "summary" },
      el("span", { class: "overall", text: card.overall + "/100" }),
      el("span", { text: "Outcome: " + card.outcome }),
      el("span", { text: "Customer: " + card.persona + ", " + card.difficulty }));
    if (card.assessment) {
      summary.appendChild(el("span", { class: "badge " + (card.assessment.passed ? "good" : "bad"),
        text: (card.assessment.passed ? "Passed" : "Not passed") + " (pass mark " + card.assessment.pass_mark + ")" }));
    }
    article.appendChild(summary);
    article.appendChild(el("h3", { text: "Scores by model" }));
    article.appendChild(chartBox(function (width) { return modelChart(card, width); }));
    article.appendChild(stepsDetails(card));
    var moods = (card.mood || []).filter(function (m) { return typeof m === "number"; });
    if (moods.length) {
      article.appendChild(el("h3", { text: "The customer's mood over the turns" }));
      article.appendChild(chartBox(function (width) { return moodChart(moods, width); }));
    }
    var feedback = card.feedback || {};
    if ((feedback.strengths || []).length) {
      article.appendChild(el("h3", { text: "What went well" }));
      var strengths = el("ul", { class: "items strengths" });
      feedback.strengths.forEach(function (item) {
        strengths.appendChild(el("li", {}, el("span", { class: "what", text: item.what + " (turn " + item.turn + ")" }),
                                 item.quote ? quote(item.quote) : null));
      });
      article.appendChild(strengths);
    }
    if ((feedback.improvements || []).length) {
      article.appendChild(el("h3", { text: "What to do better" }));
      var improvements = el("ul", { class: "items improvements" });
      feedback.improvements.forEach(function (item) {
        improvements.appendChild(el("li", {}, el("span", { class: "what", text: item.what }),
          item.quote ? el("div", {}, "You wrote (turn " + item.turn + "):", quote(item.quote)) : null,
          item.better ? el("p", { class: "better" }, el("strong", { text: "Better: " }), item.better) : null));
      });
      article.appendChild(improvements);
    }
    if ((card.flags || []).length) {
      article.appendChild(el("h3", { text: "Flags" }));
      var flags = el("ul", { class: "items flags" });
      card.flags.forEach(function (flag) {
        var advice = el("p", { class: "better" }, el("strong", { text: "Advice: " }));
        richText(advice, flag.advice || "");
        flags.appendChild(el("li", {}, el("span", { class: "what", text: flag.message + turnsText(flag.turns) }), advice));
      });
      article.appendChild(flags);
    }
    (card.notes || []).forEach(function (note) { article.appendChild(el("p", { text: String(note) })); });
    addToLog(article);
    drawCharts();
    return article;
  }

  // -- wiring --------------------------------------------------------------------------
  ui.composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = ui.input.value;
    if (!text.trim()) {
      showNotice("Type a message first.");
      ui.input.focus();
      return;
    }
    if (app.busy) { return; }
    ui.input.value = "";
    send(text);
  });

  ui.input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.ctrlKey && !event.altKey && !event.metaKey &&
        !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });

  ui.picker.addEventListener("submit", function (event) {
    event.preventDefault();
    var scenario = ui.picker.querySelector("input[name=scenario]:checked");
    var mode = ui.picker.querySelector("input[name=mode]:checked");
    if (!scenario) {
      showNotice("Choose a scenario first.");
      return;
    }
    var choice = { scenario: scenario.value, persona: ui.persona.value, difficulty: ui.difficulty.value,
                   mode: mode ? mode.value : "practice" };
    if (params.get("name")) { choice.name = params.get("name").slice(0, 80); }
    start(choice);
  });

  ui.tools.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-send]");
    if (button && !button.disabled) { send(button.getAttribute("data-send")); }
  });

  ui.notesButton.addEventListener("click", function () {
    if (!/^\s*notes?\s*:/i.test(ui.input.value)) { ui.input.value = "notes: " + ui.input.value; }
    ui.input.focus();
    ui.input.setSelectionRange(ui.input.value.length, ui.input.value.length);
  });

  load();
})();
