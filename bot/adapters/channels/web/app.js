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
    mood: $("mood"), moodLabel: $("mood-label"), moodMeter: $("mood-meter"), moodFill: $("mood-fill"), moodText: $("mood-text"),
    scenarioLine: $("scenario-line"), learnerForm: $("learner-form"), learnerName: $("learner-name"),
    learnerCohort: $("learner-cohort"), learnerProblem: $("learner-problem"), learnerCancel: $("learner-cancel"),
    learnerShown: $("learner-shown"), learnerCohortShown: $("learner-cohort-shown"), learnerChange: $("learner-change"),
    learnerHelp: $("learner-help"), prompt: $("composer-prompt"), promptText: $("composer-prompt-text")
  };

  var params = new URLSearchParams(window.location.search);
  var app = { csrf: null, phase: "menu", menu: null, labels: {}, busy: false, pickerKey: null, mood: null, counterpart: null,
              persona: null, learner: null, askingName: false, started: false, lastStart: null,
              afterScorecard: false, question: "" };

  // the page opens where applyConversation puts it, not where the browser last left it
  if ("scrollRestoration" in window.history) { window.history.scrollRestoration = "manual"; }

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

  /* Words for the mood bands 0-2, 3-4, 5-6, 7-8 and 9-10, in the persona's own terms
   * (the personas are in data/course/course.yml); any other persona gets the default. */
  var MOOD_WORDS = {
    "default": ["calm", "uneasy", "annoyed", "angry", "furious"],
    angry: ["calm", "uneasy", "annoyed", "angry", "furious"],
    anxious: ["calm", "uneasy", "worried", "very worried", "distraught"],
    impatient: ["calm", "restless", "impatient", "exasperated", "out of patience"],
    demanding: ["calm", "unsatisfied", "annoyed", "indignant", "irate"]
  };

  /* In a coaching scenario the meter shows how guarded the agent is (0 open, 10 closed). */
  var GUARD_WORDS = ["open", "relaxed", "guarded", "defensive", "shut down"];

  function moodWord(mood, persona) {
    var words = app.counterpart ? GUARD_WORDS : (MOOD_WORDS[persona === undefined ? app.persona : persona] || MOOD_WORDS["default"]);
    if (mood <= 2) { return words[0]; }
    if (mood <= 4) { return words[1]; }
    if (mood <= 6) { return words[2]; }
    if (mood <= 8) { return words[3]; }
    return words[4];
  }

  function moodColour(mood) { return mood <= 3 ? "#15803d" : (mood <= 6 ? "#b45309" : "#b91c1c"); }
  function scoreColour(score) { return score >= 70 ? "#15803d" : (score >= 40 ? "#b45309" : "#b91c1c"); }

  function scenarioInfo(id) {
    var found = ((app.menu && app.menu.menu && app.menu.menu.scenarios) || []).filter(function (s) { return s.id === id; });
    return found.length ? found[0] : null;
  }

  function scenarioTitle(id) {
    var found = scenarioInfo(id);
    return found ? found.title : String(id || "");
  }

  /* The persona a scenario uses when the learner leaves "the scenario's usual customer". */
  function usualPersona(id) {
    var found = scenarioInfo(id);
    return found && found.usual_persona ? found.usual_persona : "";
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
    app.started = false;
    app.lastStart = null;
    app.question = "";
    ui.log.replaceChildren();
    clearSuggestions();
    // the welcome is the page's own (not stored): shown first, live and after a reload alike
    renderBot({ text: data.menu.text, custom: { menu: data.menu.menu, coach: { speaker: "coach" } } });
    data.transcript.forEach(renderEntry);
    applyState(data.state || { phase: "menu" });
    // a first visit opens at the welcome; a conversation under way opens at its latest message
    if (app.started || app.phase !== "menu") { scrollToEnd(); } else { window.scrollTo(0, 0); }
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

  /* "You started: ..." in the same words as the header: the choice as the coach resolved it
   * (setup, from the coach's set-up message) or, until that arrives, as far as the choice says. */
  function isCoaching(id) { var info = scenarioInfo(id); return !!(info && info.kind === "coaching"); }

  function describeStart(start, setup) {
    setup = setup || {};
    function picked(key) { return start[key] === "random" ? " (picked at random)" : ""; }
    var scenario = setup.scenario || (start.scenario === "random" ? "" : start.scenario);
    var persona = setup.persona || (start.persona === "random" ? "" : (start.persona || usualPersona(scenario)));
    var difficulty = setup.difficulty || (start.difficulty === "random" ? "" : (start.difficulty || "standard"));
    var parts = [
      scenario ? scenarioTitle(scenario) + picked("scenario") : "a random scenario",
      persona ? persona + (isCoaching(scenario) ? " agent" : " customer") + picked("persona") : "a random customer",
      difficulty ? difficulty + picked("difficulty") : "a random difficulty",
      (setup.mode || start.mode || "practice") + " mode"
    ];
    return "You started: " + parts.join(" · ");
  }

  function renderStart(start) {
    clearSuggestions();
    app.started = true;
    var node = addToLog(el("li", { class: "msg system", text: describeStart(start) }));
    app.lastStart = { node: node, start: start };
  }

  /* The coach's set-up message says what was actually chosen (a random pick, the usual persona). */
  function applySetup(setup) {
    app.persona = setup.persona || app.persona;
    if (app.lastStart) {
      app.lastStart.node.textContent = describeStart(app.lastStart.start, setup);
      app.lastStart = null;
    }
  }

  function renderBot(message) {
    var custom = message.custom || {};
    var coach = custom.coach || {};
    if (custom.scorecard) {
      app.afterScorecard = true;
      return renderScorecard(custom.scorecard);
    }
    var text = String(message.text || "");
    var speaker = coach.speaker || (text.indexOf("Coach: ") === 0 ? "coach" : "customer");
    if (speaker === "coach") { text = text.replace(/^Coach:\s*/, ""); }
    if (custom.setup) { applySetup(custom.setup); setCounterpart(custom.coaching || null); }
    // the coach's question right after a scorecard is the reflection the composer asks for
    if (app.afterScorecard && speaker === "coach") { app.question = text; }
    app.afterScorecard = false;
    if (custom.menu) {
      text = text.split("\n")[0];
      buildPicker(custom.menu);
    }
    if (custom.coaching) { text = text.split("\n\n")[0]; }
    var who = speaker === "customer" ? (coach.name || "Customer") : "Coach";
    var item = el("li", { class: "msg " + (speaker === "customer" ? "customer" : "coach") },
                  el("span", { class: "who", text: who }));
    richText(item, text);
    if (custom.coaching) { item.appendChild(coachedChat(custom.coaching)); }
    if (speaker === "customer" && typeof coach.mood === "number") {
      setMood(coach.mood);
      var why = (coach.why || []).filter(Boolean);
      if (coach.turn && why.length) {
        var meter = app.counterpart ? "Guard " : "Mood ";
        item.appendChild(el("span", { class: "why", text: meter + coach.mood + "/10: " + why.join("; ") }));
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

  /* The chat the agent handled, shown at the start of a coaching scenario: what the learner coaches on. */
  function coachedChat(coaching) {
    var panel = el("details", { class: "coached-chat", "data-testid": "coached-chat", open: "" },
                   el("summary", { text: "The chat " + coaching.agent + " handled" }));
    (coaching.transcript || []).forEach(function (line) {
      panel.appendChild(el("p", { class: "coached-line" }, el("strong", { text: line.speaker + ": " }), String(line.text)));
    });
    return panel;
  }

  function setCounterpart(coaching) {
    app.counterpart = coaching ? coaching.agent : null;
    ui.moodLabel.textContent = app.counterpart ? app.counterpart + "'s guard" : "Customer mood";
    COMPOSER_LABELS.playing = app.counterpart ? "Your reply to " + app.counterpart : "Your reply to the customer";
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
    showMenuPart(inMenu);
    ui.tools.hidden = inMenu;
    ui.composerLabel.textContent = COMPOSER_LABELS[app.phase] || COMPOSER_LABELS.playing;
    ui.input.placeholder = inMenu ? "Or type a choice…" : "Type your reply…";
    showPrompt(app.phase === "reflection" ? app.question : "");
    if (inMenu) {
      ui.mood.hidden = true;
      ui.scenarioLine.textContent = "Choose a scenario to practise.";
    } else {
      if (state.persona) { app.persona = state.persona; }
      if (typeof state.mood === "number") { setMood(state.mood); }
      var parts = [scenarioTitle(state.scenario)];
      var info = scenarioInfo(state.scenario);
      if (info && info.kind === "coaching") { parts.push("coaching"); }
      else if (state.persona) { parts.push(state.persona + " customer"); }
      if (state.difficulty) { parts.push(state.difficulty); }
      if (state.mode) { parts.push(state.mode + " mode"); }
      ui.scenarioLine.textContent = parts.filter(Boolean).join(" · ");
    }
  }

  /* The question the learner is answering, kept in the composer itself, right above the input. */
  function showPrompt(question) {
    ui.prompt.hidden = !question;
    ui.promptText.textContent = question || "";
    ui.input.setAttribute("aria-describedby", question ? "composer-prompt-text composer-help" : "composer-help");
  }

  function setBusy(busy, who) {
    app.busy = busy;
    ui.typing.hidden = !busy;
    var other = app.counterpart ? app.counterpart + " is typing…" : "The customer is typing…";
    ui.typingText.textContent = who === "customer" ? other : "The coach is replying…";
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
      if (app.phase === "reflection") { ui.input.focus({ preventScroll: true }); }
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
    var body = { text: text };
    if (app.phase === "menu") {
      // a typed choice starts a practice as the picker does, so it needs the learner's name too
      if (!app.learner) {
        showNotice("Tell us your name first, then choose a scenario.");
        if (!ui.input.value) { ui.input.value = text; }
        ui.learnerName.focus();
        return Promise.resolve();
      }
      body.name = app.learner.name;
      if (app.learner.cohort) { body.cohort = app.learner.cohort; }
    }
    var bubble = renderLearner(text);
    setBusy(true, app.phase === "playing" && !isCommand(text) ? "customer" : "coach");
    return Promise.all([api("api/message", body), sleep(MIN_TYPING_MS)]).then(function (results) {
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
      if (error.code === "bad_learner") { askName(error.message); } else { sessionProblem(error); }
    });
  }

  // -- the learner's name (kept in this browser, sent with each start) ---------------------------
  var LEARNER_KEY = "complaint-coach.learner";
  var NAME_MAX = 80, COHORT_MAX = 40;
  var LEARNER_HELP = ui.learnerHelp.textContent;
  var UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

  function characters(text) { return Array.from(text).length; }  // as the server counts them

  function readLearner() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(LEARNER_KEY) || "null");
      if (saved && typeof saved.name === "string" && !learnerProblem(saved.name, saved.cohort || "")) {
        return { name: saved.name.trim(), cohort: String(saved.cohort || "").trim() };
      }
    } catch (error) { /* no storage (a blocked frame, private mode): the page asks again next visit */ }
    return null;
  }

  function saveLearner(learner) {
    app.learner = learner;
    try { window.localStorage.setItem(LEARNER_KEY, JSON.stringify(learner)); } catch (error) { /* this visit only */ }
  }

  /* The same rules as the server's (webchat.py validate_learner), so a refusal there is rare. */
  function learnerProblem(name, cohort) {
    name = String(name || "").trim();
    cohort = String(cohort || "").trim();
    if (!name) { return "Type your name first (1 to " + NAME_MAX + " characters)."; }
    if (characters(name) > NAME_MAX) { return "Your name is too long: at most " + NAME_MAX + " characters, please."; }
    if (characters(cohort) > COHORT_MAX) {
      return "Your cohort or course code is too long: at most " + COHORT_MAX + " characters, please.";
    }
    if (UNSHOWABLE.test(name) || UNSHOWABLE.test(cohort)) {
      return "Use letters, digits and punctuation only (no line breaks or control characters).";
    }
    return "";
  }

  /* In the menu: the name prompt until there is a name (or while it is being changed), else the picker. */
  function showMenuPart(inMenu) {
    var asking = inMenu && (app.askingName || !app.learner);
    ui.learnerForm.hidden = !asking;
    ui.picker.hidden = !inMenu || asking;
    ui.learnerCancel.hidden = !app.learner;
    if (app.learner) {
      ui.learnerShown.textContent = app.learner.name;
      ui.learnerCohortShown.textContent = app.learner.cohort ? " (" + app.learner.cohort + ")" : "";
    }
  }

  function setLearnerProblem(problem) {
    ui.learnerProblem.textContent = problem || "";
    ui.learnerProblem.hidden = !problem;
    if (problem) { ui.learnerName.setAttribute("aria-invalid", "true"); }
    else { ui.learnerName.removeAttribute("aria-invalid"); }
  }

  /* The saved name, else the page's ?name= and ?cohort= (e.g. from the embed snippet's data-name). */
  function prefillName() {
    ui.learnerName.value = app.learner ? app.learner.name : (params.get("name") || "").trim().slice(0, NAME_MAX);
    ui.learnerCohort.value = app.learner ? app.learner.cohort : (params.get("cohort") || "").trim().slice(0, COHORT_MAX);
  }

  function askName(problem) {
    app.askingName = true;
    prefillName();
    ui.learnerHelp.textContent = app.started && app.learner
      ? "A different name starts a new conversation, so your tutor sees each practice under the right name."
      : LEARNER_HELP;
    setLearnerProblem(problem);
    showMenuPart(app.phase === "menu");
    ui.learnerName.focus();
  }

  function focusPicker() {
    var checked = ui.picker.querySelector("input[name=scenario]:checked");
    if (checked && !ui.picker.hidden) { checked.focus(); }
  }

  function saveName(event) {
    event.preventDefault();
    var name = ui.learnerName.value.trim(), cohort = ui.learnerCohort.value.trim();
    var problem = learnerProblem(name, cohort);
    if (problem) {
      setLearnerProblem(problem);
      ui.learnerName.focus();
      return;
    }
    var changed = app.learner && (app.learner.name !== name || app.learner.cohort !== cohort);
    setLearnerProblem("");
    saveLearner({ name: name, cohort: cohort });
    app.askingName = false;
    // the coach keeps the first name a conversation was started with: a new name needs a new one
    if (changed && app.started) { newSession().then(focusPicker); return; }
    showMenuPart(app.phase === "menu");
    focusPicker();
  }

  // -- the picker (from the coach's menu payload) ---------------------------------------------
  function option(select, value, label, selected) {
    var node = el("option", { value: value, text: label });
    if (selected) { node.selected = true; }
    select.appendChild(node);
  }

  function scenarioCard(scenario, number, chosen) {
    var input = el("input", { type: "radio", name: "scenario", value: scenario.id, id: "scenario-" + scenario.id });
    if (scenario.id === chosen) { input.checked = true; }
    ui.scenarioOptions.appendChild(el("label", { class: "option", for: "scenario-" + scenario.id }, input,
      number ? el("span", { class: "number", text: number }) : null,
      el("span", {}, el("span", { class: "title", text: scenario.title }),
                     el("span", { class: "desc", text: scenario.description || "" }))));
  }

  /* "The scenario's usual customer (angry)": the persona that choice means for the chosen scenario. */
  function updateUsualOption() {
    var usual = ui.persona.querySelector("option[value='']");
    var scenario = ui.picker.querySelector("input[name=scenario]:checked");
    var persona = scenario ? usualPersona(scenario.value) : "";
    if (usual) { usual.textContent = "The scenario's usual customer" + (persona ? " (" + persona + ")" : ""); }
  }

  function buildPicker(menu) {
    // the API's menu also names each scenario's usual persona; the coach's own menu does not
    var key = JSON.stringify([menu.scenarios.map(function (s) { return [s.id, s.title, s.description]; }),
                              menu.personas, menu.difficulties]);
    if (app.pickerKey === key) { return; }
    app.pickerKey = key;
    var wanted = params.get("scenario");
    var ids = menu.scenarios.map(function (s) { return s.id; });
    var chosen = ids.indexOf(wanted) >= 0 || wanted === "random" ? wanted : ids[0];
    ui.scenarioOptions.replaceChildren();
    // numbered as the coach's typed menu numbers them (its order, from 1), so "4 angry hard" is card 4
    menu.scenarios.forEach(function (scenario, index) { scenarioCard(scenario, String(index + 1), chosen); });
    scenarioCard({ id: "random", title: "Random scenario", description: "Let the coach pick one for you." }, "",
                 chosen);
    var persona = params.get("persona") || "";
    ui.persona.replaceChildren();
    option(ui.persona, "", "The scenario's usual customer", !persona);
    updateUsualOption();
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
    var longest = models.reduce(function (n, m) { return Math.max(n, m.length); }, 0);
    var rowHeight = 34, left = Math.max(64, Math.round(18 + 10.5 * longest)), top = 8;
    var barMax = Math.max(80, width - left - 48);
    var height = top + models.length * rowHeight + 28;
    var titleId = nextId("models-title"), descId = nextId("models-desc");
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img",
                             "aria-labelledby": titleId + " " + descId });
    chart.appendChild(svg("title", { id: titleId }, "Score for each model, out of 100"));
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

  function moodChart(moods, persona, width) {
    var low = app.counterpart ? "0 open" : "0 calm";
    var top10 = moodWord(10, persona);
    var height = width < 480 ? 200 : 240, right = 16, top = 14, bottom = 40;
    var left = Math.max(82, Math.round(14 + 7.5 * ("10 " + top10).length));
    var plotW = width - left - right, plotH = height - top - bottom;
    var titleId = nextId("mood-title"), descId = nextId("mood-desc");
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, class: "chart", role: "img",
                             "aria-labelledby": titleId + " " + descId });
    var whose = app.counterpart ? app.counterpart + "'s guard" : "The customer's mood";
    chart.appendChild(svg("title", { id: titleId },
                          whose + " after each of your turns (" + low + ", 10 " + top10 + ")"));
    chart.appendChild(svg("desc", { id: descId }, moods.map(function (m, i) {
      return (i ? "turn " + i : "start") + ": " + m;
    }).join(", ")));
    function x(i) { return left + (moods.length > 1 ? plotW * i / (moods.length - 1) : plotW / 2); }
    function y(m) { return top + plotH * (1 - Math.max(0, Math.min(10, m)) / 10); }
    [[0, low], [5, "5"], [10, "10 " + top10]].forEach(function (tick) {
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
      dot.appendChild(svg("title", {}, (i ? "After turn " + i : "At the start") + ": mood " + m + " (" +
                          moodWord(m, persona) + ")"));
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

  /* "+93.6", "−5" (a real minus sign), "+0": whole numbers without a decimal point. */
  function signed(points) {
    var value = Math.round(Number(points) * 10) / 10 || 0;
    var size = Math.abs(value);
    return (value < 0 ? "\u2212" : "+") + (size % 1 ? size.toFixed(1) : String(size));
  }

  /* The overall score as a sum (scorecard.breakdown); null for scorecards made before it existed. */
  function breakdownTable(breakdown) {
    if (!breakdown || !Array.isArray(breakdown.lines) || !breakdown.lines.length) { return null; }
    var body = el("tbody");
    breakdown.lines.forEach(function (line) {
      body.appendChild(el("tr", { class: "kind-" + String(line.kind || "") },
        el("th", { scope: "row", text: String(line.label || "") + turnsText(line.turns) }),
        el("td", { class: "points", text: signed(line.points) })));
    });
    return el("table", { class: "breakdown" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "What counts" }),
                                   el("th", { scope: "col", class: "points", text: "Points" }))),
      body,
      el("tfoot", {}, el("tr", {}, el("th", { scope: "row", text: "Overall score" }),
                                   el("td", { class: "points", text: "= " + breakdown.overall }))));
  }

  /* For each model below 100, the points it lost and why (models[ID].lost); null when none say. */
  function pointsLost(card) {
    var box = el("div", { class: "lost" });
    Object.keys(card.models || {}).forEach(function (model) {
      var result = card.models[model];
      if (!Array.isArray(result.lost) || !result.lost.length || result.score >= 100) { return; }
      var name = (app.labels[model] && app.labels[model].name) || model;
      box.appendChild(el("h4", { text: model + ": " + name + " (" + result.score + "/100)" }));
      var list = el("ul", { class: "lost-lines" });
      result.lost.forEach(function (line) {
        list.appendChild(el("li", {}, el("span", { class: "points", text: signed(-Math.abs(Number(line.points))) }),
                            el("span", { text: " " + String(line.why || line.step || "") + turnsText(line.turns) })));
      });
      box.appendChild(list);
    });
    return box.childNodes.length ? box : null;
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

  // CSAT, NPS and first contact resolution, each with how it was judged, and the customer's own rating.
  function kpiList(kpis) {
    if (!kpis || typeof kpis.csat !== "number") { return null; }
    var why = kpis.why || {};
    var list = el("dl", { class: "kpis" });
    function row(term, value, reason) {
      list.appendChild(el("dt", { text: term }));
      list.appendChild(el("dd", {}, el("span", { class: "value", text: value }),
                          reason ? el("span", { class: "why", text: " " + reason }) : null));
    }
    row("CSAT", kpis.csat + "/5", why.csat);
    row("NPS", kpis.nps + "/10, " + kpis.nps_category, why.nps);
    row("Resolved first time", kpis.first_contact_resolution ? "yes" : "no", why.first_contact_resolution);
    var secs = kpis.handle_seconds;
    var time = typeof secs !== "number" ? "" : ", " + (secs < 90 ? secs + " s" : Math.round(secs / 60) + " min");
    row("Turns", kpis.turns + time, "");
    var wrapper = el("div", { class: "kpi-box" }, list);
    if (kpis.customer_says) { wrapper.appendChild(el("p", { class: "customer-rating" }, "The customer: ", quote(kpis.customer_says))); }
    return wrapper;
  }

  function renderScorecard(card) {
    clearSuggestions();
    var headingId = nextId("scorecard");
    var article = el("li", { class: "scorecard", "aria-labelledby": headingId });
    article.appendChild(el("h2", { id: headingId, text: "Your scorecard: " + scenarioTitle(card.scenario) }));
    var summary = el("p", { class: "summary" },
      el("span", { class: "overall", text: card.overall + "/100" }),
      el("span", { text: "Outcome: " + card.outcome }),
      el("span", { text: app.counterpart
        ? "Agent: " + app.counterpart + " (" + (card.persona === "anxious" ? "unsure" : "defensive") + ")"  // the style the persona plays
        : "Customer: " + card.persona + ", " + card.difficulty }));
    if (card.assessment) {
      summary.appendChild(el("span", { class: "badge " + (card.assessment.passed ? "good" : "bad"),
        text: (card.assessment.passed ? "Passed" : "Not passed") + " (pass mark " + card.assessment.pass_mark + ")" }));
    }
    article.appendChild(summary);
    var kpis = kpiList(card.kpis);
    if (kpis) {
      article.appendChild(el("h3", { text: "Service KPIs" }));
      article.appendChild(kpis);
    }
    var breakdown = breakdownTable(card.breakdown);
    if (breakdown) {
      article.appendChild(el("h3", { text: "How your score is made" }));
      article.appendChild(breakdown);
    }
    article.appendChild(el("h3", { text: "Scores by model" }));
    article.appendChild(chartBox(function (width) { return modelChart(card, width); }));
    var lost = pointsLost(card);
    if (lost) {
      article.appendChild(el("h3", { text: "Where each model lost points" }));
      article.appendChild(lost);
    }
    article.appendChild(stepsDetails(card));
    var moods = (card.mood || []).filter(function (m) { return typeof m === "number"; });
    if (moods.length) {
      article.appendChild(el("h3", { text: app.counterpart ? app.counterpart + "'s guard over the turns"
                                                           : "The customer's mood over the turns" }));
      article.appendChild(chartBox(function (width) { return moodChart(moods, card.persona, width); }));
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
    if (!app.learner) {
      askName("");
      return;
    }
    var choice = { scenario: scenario.value, persona: ui.persona.value, difficulty: ui.difficulty.value,
                   mode: mode ? mode.value : "practice", name: app.learner.name, cohort: app.learner.cohort };
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

  ui.learnerForm.addEventListener("submit", saveName);
  ui.learnerChange.addEventListener("click", function () { askName(""); });
  ui.learnerCancel.addEventListener("click", function () {
    app.askingName = false;
    setLearnerProblem("");
    showMenuPart(app.phase === "menu");
    focusPicker();
  });
  ui.picker.addEventListener("change", function (event) {
    if (event.target.name === "scenario") { updateUsualOption(); }
  });

  app.learner = readLearner();
  prefillName();
  load();
})();
