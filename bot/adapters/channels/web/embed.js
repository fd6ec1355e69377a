/* complaint-coach chat widget for any intranet or LMS page:
 *
 *   <script src="https://COACH-HOST/webhooks/webchat/embed.js" data-scenario="late_delivery"
 *           data-persona="angry" data-difficulty="standard" data-mode="practice" data-height="680"></script>
 *
 * It puts the chat page in an iframe right after the script tag (or inside the element
 * named by data-target="#some-id"). Every data-* attribute is optional; data-name and
 * data-cohort fill in the page's name prompt, which the learner confirms. The chat runs on
 * the coach's own server; the host page sees none of the conversation.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) { return; }
  var data = script.dataset || {};
  var page = new URL(".", script.src);
  page.searchParams.set("embed", "1");
  ["scenario", "persona", "difficulty", "mode", "name", "cohort"].forEach(function (key) {
    if (data[key]) { page.searchParams.set(key, String(data[key]).slice(0, 80)); }
  });
  var frame = document.createElement("iframe");
  frame.src = page.href;
  frame.title = data.title || "Complaint coach: practice chat";
  frame.setAttribute("referrerpolicy", "no-referrer");
  frame.className = "complaint-coach-widget";
  var height = parseInt(data.height, 10);
  frame.style.width = "100%";
  frame.style.maxWidth = data.width || "880px";
  frame.style.height = (height > 200 ? height : 680) + "px";
  frame.style.border = "1px solid #d1d5db";
  frame.style.borderRadius = "8px";
  frame.style.display = "block";
  var target = data.target ? document.querySelector(data.target) : null;
  if (target) {
    target.appendChild(frame);
  } else {
    script.parentNode.insertBefore(frame, script.nextSibling);
  }
})();
